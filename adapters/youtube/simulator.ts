/**
 * A local fake of the YouTube upload API and Google OAuth, per shared/platforms/youtube.md
 * "A simulator must imitate". Paths are the real ones; every host maps to this origin.
 * Uploaded bytes are never stored: each session counts them and feeds a running SHA-256,
 * so a 1 GB upload costs no memory and tests can still verify integrity.
 *
 * Documented choices: a chunk that does not start at the next expected byte is answered
 * `308` with the current `Range` and nothing is kept (the client re-syncs from there);
 * quota and the per-channel cap are charged when a session starts (the insert call);
 * chunk PUTs need no token (the upload_id is the capability) but a bad one is a 401.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { nextPacificMidnight } from '../../src/platform/errors.ts';
import { createSimServer, simToken, type PlatformSimulator, type SimRequest, type SimResponse } from '../../src/platform/simulator-kit.ts';
import { codePoints, countTagCharacters, utf8Bytes } from './validate.ts';

export interface YouTubeSimOptions {
  /** Access-token lifetime (Google: ~1 h, `expires_in` 3599). */
  accessTokenTtlMs?: number;
  /** Upload session lifetime (about a week [U]); 404 afterwards. */
  sessionTtlMs?: number;
  /** 'bucket': 100 inserts/day at cost 1 (current docs); 'units': 1600 of 10,000 units/day (older docs). */
  quotaModel?: 'bucket' | 'units';
  /** Per-channel uploads in a rolling 24 h (the real number is unpublished). */
  dailyUploadsPerChannel?: number;
  /** Unaudited API project: every upload is stored private. */
  unaudited?: boolean;
}

export interface SimVideo {
  id: string;
  channelId: string;
  sessionId: string;
  bytes: number;
  sha256: string;
  snippet: Record<string, unknown>;
  status: Record<string, unknown>;
  /** videos.list part=statistics (tests raise them; a new video has 0 views). `likeCount: null`: the owner hides likes. */
  statistics?: { viewCount?: number; likeCount?: number | null; commentCount?: number };
}

interface Channel { id: string; title: string; customUrl: string; uploads: number[] }
interface User { id: string; channel?: Channel }
interface Session {
  id: string; user: User; total: number; contentType: string; parts: string[];
  snippet: Record<string, unknown>; status: Record<string, unknown>;
  received: number; hash: Hash; createdAt: number; video?: SimVideo;
}
interface Grant { user: User; revoked: boolean; scope: string }

const GRANULARITY = 256 * 1024;
const UNIT_LIMIT = 10_000;
const BUCKET_LIMIT = 100;
const INSERT_UNITS = 1600;
const CATEGORIES = new Set(['1', '2', '10', '15', '17', '19', '20', '22', '23', '24', '25', '26', '27', '28', '29']);

function googleError(code: number, reason: string, message: string, domain = 'youtube.video'): SimResponse {
  return { status: code, body: { error: { code, message, errors: [{ message, domain, reason }] } } };
}
const tokenError = (status: number, error: string, description: string): SimResponse => ({ status, body: { error, error_description: description } });
const b64url = (n: number) => randomBytes(n).toString('base64url');

export function createYouTubeSimulator(opts: YouTubeSimOptions = {}) {
  const accessTtl = opts.accessTokenTtlMs ?? 3_600_000;
  const sessionTtl = opts.sessionTtlMs ?? 7 * 24 * 3_600_000;
  const perChannel = opts.dailyUploadsPerChannel ?? 50;
  const users = new Map<string, User>();
  const access = new Map<string, { grant: Grant; expiresAt: number }>();
  const refresh = new Map<string, Grant>();
  const codes = new Map<string, { user: User; clientId: string; redirectUri: string; scope: string; offline: boolean; challenge?: string }>();
  const sessions = new Map<string, Session>();
  const state = {
    videos: new Map<string, SimVideo>(),
    sessions,
    sessionsCreated: 0,
    refreshCount: 0,
    quota: { model: opts.quotaModel ?? 'bucket', insertsUsed: 0, unitsUsed: 0, resetsAt: nextPacificMidnight() },
    /** Test hook: keep only this many bytes (a 256 KiB multiple) of the next data chunk. */
    keepOfNextChunk: undefined as number | undefined,
    /** Test hook: the next authorize creates a Google account without a YouTube channel. */
    nextSignInWithoutChannel: false,
  };
  const server = createSimServer({
    name: 'youtube',
    describeState: () => ({
      sessionsCreated: state.sessionsCreated, refreshCount: state.refreshCount, quota: state.quota,
      videos: [...state.videos.values()].map(({ id, channelId, bytes, sha256 }) => ({ id, channelId, bytes, sha256 })),
    }),
  });

  function newUser(withChannel: boolean): User {
    const user: User = { id: `user_${b64url(6)}` };
    if (withChannel) {
      const n = users.size + 1;
      user.channel = { id: `UC${b64url(16).slice(0, 22)}`, title: `Demo Channel ${n}`, customUrl: `@demochannel${n}`, uploads: [] };
    }
    users.set(user.id, user);
    return user;
  }

  function issueAccess(grant: Grant) {
    const token = simToken('ya29');
    access.set(token, { grant, expiresAt: Date.now() + accessTtl });
    return token;
  }

  const unauthenticated = (): SimResponse => ({
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    body: { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }], status: 'UNAUTHENTICATED' } },
  });

  /** The caller, or a 401. `optional`: a request without Authorization passes (user undefined). */
  function authenticate(req: SimRequest, optional = false): { user?: User; scope?: string; error?: SimResponse } {
    const header = String(req.headers.authorization ?? '');
    if (!header && optional) return {};
    const t = access.get(header.replace(/^Bearer\s+/i, ''));
    if (!t || t.grant.revoked || t.expiresAt <= Date.now()) return { error: unauthenticated() };
    return { user: t.grant.user, scope: t.grant.scope };
  }

  /** Charge project quota; a 403 quotaExceeded when the day's allocation is spent. */
  function charge(kind: 'insert' | 'read'): SimResponse | undefined {
    const q = state.quota;
    if (Date.now() >= q.resetsAt.getTime()) Object.assign(q, { insertsUsed: 0, unitsUsed: 0, resetsAt: nextPacificMidnight() });
    const bucket = kind === 'insert' && q.model === 'bucket';
    const cost = kind === 'read' ? 1 : bucket ? 1 : INSERT_UNITS;
    const over = bucket ? q.insertsUsed + cost > BUCKET_LIMIT : q.unitsUsed + cost > UNIT_LIMIT;
    if (over) {
      return googleError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', 'youtube.quota');
    }
    if (bucket) q.insertsUsed += cost;
    else q.unitsUsed += cost;
    return undefined;
  }

  type Metadata = { snippet: Record<string, unknown>; status: Record<string, unknown> };
  function checkMetadata(body: unknown): { error: SimResponse } | Metadata {
    const b = (body && typeof body === 'object' ? body : {}) as { snippet?: Record<string, unknown>; status?: Record<string, unknown> };
    const snippet = { ...b.snippet };
    const status = { ...b.status };
    const bad = (reason: string, message: string) => ({ error: googleError(400, reason, message) });
    const { title, description = '', tags, categoryId } = snippet;
    if (typeof title !== 'string' || title.trim() === '' || codePoints(title) > 100 || /[<>]/.test(title)) {
      return bad('invalidTitle', 'The request metadata specifies an invalid or empty video title.');
    }
    if (typeof description !== 'string' || utf8Bytes(description) > 5000 || /[<>]/.test(description)) {
      return bad('invalidDescription', 'The request metadata specifies an invalid video description.');
    }
    if (tags !== undefined && (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string') || countTagCharacters(tags) > 500)) {
      return bad('invalidTags', 'The request metadata specifies invalid video keywords.');
    }
    if (categoryId !== undefined && !CATEGORIES.has(String(categoryId))) return bad('invalidCategoryId', 'The snippet.categoryId property specifies an invalid category ID.');
    const privacy = status.privacyStatus ?? 'public';
    if (!['public', 'private', 'unlisted'].includes(String(privacy))) return bad('invalidVideoMetadata', 'The request metadata is invalid.');
    if (status.publishAt !== undefined && (privacy !== 'private' || Number.isNaN(Date.parse(String(status.publishAt))))) {
      return bad('invalidPublishAt', 'The request metadata specifies an invalid scheduled publishing time.');
    }
    snippet.description = description;
    status.privacyStatus = opts.unaudited ? 'private' : privacy;
    return { snippet, status };
  }

  // Step 1: start a resumable session.
  server.route('POST', '/upload/youtube/v3/videos', (req) => {
    const { user, error } = authenticate(req);
    if (!user) return error ?? unauthenticated();
    if (req.query.get('uploadType') !== 'resumable') return googleError(400, 'badRequest', 'This simulator supports uploadType=resumable only.', 'global');
    const parts = (req.query.get('part') ?? '').split(',').filter(Boolean);
    if (!parts.includes('snippet')) return googleError(400, 'invalidPart', "The 'part' parameter must include snippet.", 'youtube.part');
    const length = String(req.headers['x-upload-content-length'] ?? '');
    const type = String(req.headers['x-upload-content-type'] ?? '');
    if (!/^\d+$/.test(length) || Number(length) === 0 || !type) {
      return googleError(400, 'badRequest', 'X-Upload-Content-Length and X-Upload-Content-Type are required to start a resumable upload.', 'global');
    }
    if (!/^video\//.test(type) && type !== 'application/octet-stream') return googleError(400, 'invalidVideoMetadata', `Media type ${type} is not a video.`);
    const meta = checkMetadata(req.json());
    if ('error' in meta) return meta.error;
    const channel = user.channel;
    if (!channel) return googleError(401, 'youtubeSignupRequired', 'The user must have a YouTube channel to upload.', 'youtube.header');
    const now = Date.now();
    channel.uploads = channel.uploads.filter((t) => t > now - 86_400_000);
    const quota = charge('insert');
    if (quota) return quota;
    if (channel.uploads.length >= perChannel) return googleError(400, 'uploadLimitExceeded', 'The user has exceeded the number of videos they may upload.');
    channel.uploads.push(now);
    const { snippet, status } = meta;
    const id = `AEnB2U${b64url(24)}`;
    sessions.set(id, { id, user, total: Number(length), contentType: type, parts, snippet, status, received: 0, hash: createHash('sha256'), createdAt: now });
    state.sessionsCreated += 1;
    const location = `${req.origin}/upload/youtube/v3/videos?uploadType=resumable&part=${parts.join(',')}&upload_id=${id}`;
    return { status: 200, headers: { location, 'x-guploader-uploadid': id } };
  });

  function videoJson(s: Session, v: SimVideo) {
    const out: Record<string, unknown> = { kind: 'youtube#video', etag: b64url(12), id: v.id };
    if (s.parts.includes('snippet')) out.snippet = v.snippet;
    if (s.parts.includes('status')) out.status = v.status;
    return out;
  }

  function complete(s: Session): SimVideo {
    const channel = s.user.channel!;
    const madeForKids = s.status.selfDeclaredMadeForKids === true;
    const v: SimVideo = {
      id: b64url(8).slice(0, 11), channelId: channel.id, sessionId: s.id, bytes: s.received, sha256: s.hash.digest('hex'),
      snippet: { publishedAt: new Date().toISOString(), channelId: channel.id, channelTitle: channel.title, categoryId: '22', liveBroadcastContent: 'none', ...s.snippet },
      status: { uploadStatus: 'uploaded', license: 'youtube', embeddable: true, publicStatsViewable: true, madeForKids, ...s.status },
    };
    state.videos.set(v.id, v);
    s.video = v;
    return v;
  }

  const incomplete = (s: Session): SimResponse => ({ status: 308, headers: s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {} });

  // Steps 2 and 3: chunks and `bytes */N` probes on the session URI.
  server.route('PUT', '/upload/youtube/v3/videos', (req) => {
    const s = sessions.get(req.query.get('upload_id') ?? '');
    if (!s || s.createdAt + sessionTtl <= Date.now()) {
      if (s) sessions.delete(s.id);
      return googleError(404, 'notFound', 'Not Found', 'global');
    }
    const { error } = authenticate(req, true);
    if (error) return error;
    if (s.video) return { status: 200, body: videoJson(s, s.video) };
    const range = String(req.headers['content-range'] ?? '');
    const bad = (message: string) => googleError(400, 'badRequest', message, 'global');
    const probe = /^bytes \*\/(\d+)$/.exec(range);
    if (probe) return Number(probe[1]) === s.total ? incomplete(s) : bad('Content-Range total does not match X-Upload-Content-Length.');
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
    if (range && !m) return bad(`Invalid Content-Range: ${range}`);
    const [first, last, total] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, req.body.length - 1, s.total];
    if (total !== s.total) return bad('Content-Range total does not match X-Upload-Content-Length.');
    if (last - first + 1 !== req.body.length || last >= total) return bad('Content-Range does not match the request body.');
    if (first !== s.received) return incomplete(s);
    const final = last === total - 1;
    if (!final && req.body.length % GRANULARITY !== 0) {
      return bad(`Invalid request. The number of bytes uploaded is required to be a multiple of ${GRANULARITY} bytes, except for the final request.`);
    }
    let keep = req.body.length;
    if (state.keepOfNextChunk !== undefined) {
      keep = Math.min(keep, state.keepOfNextChunk);
      state.keepOfNextChunk = undefined;
    }
    s.hash.update(req.body.subarray(0, keep));
    s.received += keep;
    if (s.received < s.total) return incomplete(s);
    return { status: 200, body: videoJson(s, complete(s)) };
  });

  // Consent page: approves at once and redirects with a code (PKCE S256 checked at /token).
  server.route('GET', '/o/oauth2/v2/auth', (req) => {
    const q = req.query;
    const redirectUri = q.get('redirect_uri');
    const clientId = q.get('client_id');
    if (!redirectUri || !clientId || q.get('response_type') !== 'code' || !q.get('scope')) {
      return { status: 400, body: 'Error 400: invalid_request (client_id, redirect_uri, response_type=code and scope are required)' };
    }
    const method = q.get('code_challenge_method');
    if (q.get('code_challenge') && method !== 'S256') return { status: 400, body: 'Error 400: invalid_request (code_challenge_method must be S256)' };
    const user = newUser(!state.nextSignInWithoutChannel);
    state.nextSignInWithoutChannel = false;
    const code = `4/${b64url(24)}`;
    codes.set(code, { user, clientId, redirectUri, scope: q.get('scope')!, offline: q.get('access_type') === 'offline', challenge: q.get('code_challenge') ?? undefined });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    if (q.get('state') !== null) to.searchParams.set('state', q.get('state')!);
    to.searchParams.set('scope', q.get('scope')!);
    return { status: 302, headers: { location: to.toString() } };
  });

  server.route('POST', '/token', (req) => {
    const f = req.form();
    if (!f.get('client_id') || !f.get('client_secret')) return tokenError(401, 'invalid_client', 'The OAuth client was not found.');
    const grantType = f.get('grant_type');
    if (grantType === 'authorization_code') {
      const c = codes.get(f.get('code') ?? '');
      if (!c) return tokenError(400, 'invalid_grant', 'Malformed auth code.');
      codes.delete(f.get('code')!);
      if (c.redirectUri !== f.get('redirect_uri')) return tokenError(400, 'redirect_uri_mismatch', 'Bad Request');
      if (c.clientId !== f.get('client_id')) return tokenError(401, 'unauthorized_client', 'Unauthorized');
      if (c.challenge) {
        const verifier = f.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return tokenError(400, 'invalid_grant', 'Invalid code verifier.');
      }
      const grant: Grant = { user: c.user, revoked: false, scope: c.scope };
      const body: Record<string, unknown> = { access_token: issueAccess(grant), expires_in: Math.round(accessTtl / 1000) - 1, scope: c.scope, token_type: 'Bearer' };
      if (c.offline) {
        body.refresh_token = `1//${b64url(32)}`;
        refresh.set(body.refresh_token as string, grant);
      }
      return { status: 200, body };
    }
    if (grantType === 'refresh_token') {
      const grant = refresh.get(f.get('refresh_token') ?? '');
      if (!grant || grant.revoked) return tokenError(400, 'invalid_grant', 'Token has been expired or revoked.');
      state.refreshCount += 1;
      // No refresh_token in the answer: Google refresh tokens do not rotate.
      return { status: 200, body: { access_token: issueAccess(grant), expires_in: Math.round(accessTtl / 1000) - 1, scope: grant.scope, token_type: 'Bearer' } };
    }
    return tokenError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  });

  server.route('GET', '/youtube/v3/channels', (req) => {
    const { user, error } = authenticate(req);
    if (!user) return error ?? unauthenticated();
    if (!req.query.get('part')) return googleError(400, 'required', "No filter selected. Expected one of: ... (part is required)", 'global');
    if (req.query.get('mine') !== 'true') return googleError(400, 'missingRequiredParameter', 'This simulator supports mine=true only.', 'youtube.parameter');
    const quota = charge('read');
    if (quota) return quota;
    const ch = user.channel;
    const items = ch ? [{ kind: 'youtube#channel', etag: b64url(12), id: ch.id, snippet: { title: ch.title, description: '', customUrl: ch.customUrl, publishedAt: new Date().toISOString() } }] : [];
    return { status: 200, body: { kind: 'youtube#channelListResponse', etag: b64url(12), pageInfo: { totalResults: items.length, resultsPerPage: 5 }, items } };
  });

  // videos.list (https://developers.google.com/youtube/v3/docs/videos/list): 1 unit; reading
  // needs youtube.readonly, youtube or youtube.force-ssl (youtube.upload alone: 403
  // insufficientPermissions); unknown ids and other channels' private videos are left out of `items`.
  const READ_SCOPES = new Set(['youtube.readonly', 'youtube', 'youtube.force-ssl']);
  server.route('GET', '/youtube/v3/videos', (req) => {
    const { user, scope, error } = authenticate(req);
    if (!user) return error ?? unauthenticated();
    const granted = (scope ?? '').split(' ').map((x) => x.replace('https://www.googleapis.com/auth/', ''));
    if (!granted.some((x) => READ_SCOPES.has(x))) {
      return googleError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global');
    }
    const parts = (req.query.get('part') ?? '').split(',').filter(Boolean);
    if (parts.length === 0) return googleError(400, 'required', 'Required parameter: part', 'global');
    const quota = charge('read');
    if (quota) return quota;
    const ids = (req.query.get('id') ?? '').split(',').filter(Boolean);
    const items = ids.map((id) => state.videos.get(id)).filter((v): v is SimVideo => v !== undefined)
      .filter((v) => v.status.privacyStatus !== 'private' || v.channelId === user.channel?.id)
      .map((v) => {
        const st = v.statistics ?? {};
        const statistics = {
          viewCount: String(st.viewCount ?? 0),
          ...(st.likeCount === null ? {} : { likeCount: String(st.likeCount ?? 0) }),
          favoriteCount: '0', commentCount: String(st.commentCount ?? 0),
        };
        return { kind: 'youtube#video', etag: b64url(12), id: v.id, ...(parts.includes('statistics') ? { statistics } : {}) };
      });
    return { status: 200, body: { kind: 'youtube#videoListResponse', etag: b64url(12), pageInfo: { totalResults: items.length, resultsPerPage: items.length }, items } };
  });

  const simulator = {
    server,
    state,
    /** `uploadOnly`: the grant has youtube.upload but not youtube.readonly (tokens made elsewhere). */
    createDemoAccount(o: { channel?: boolean; uploadOnly?: boolean } = {}) {
      const user = newUser(o.channel ?? true);
      const scope = o.uploadOnly ? 'https://www.googleapis.com/auth/youtube.upload' : 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly';
      const grant: Grant = { user, revoked: false, scope };
      const refreshToken = `1//${b64url(32)}`;
      refresh.set(refreshToken, grant);
      return {
        externalId: user.channel?.id ?? user.id,
        handle: user.channel?.customUrl,
        credentials: { accessToken: issueAccess(grant), refreshToken, expiresAt: new Date(Date.now() + accessTtl).toISOString() },
      };
    },
    /** Expire one access token, or all of them. */
    expireAccessToken(token?: string) {
      for (const [t, v] of access) if (!token || t === token) v.expiresAt = 0;
    },
    /** The user revokes the grant: the refresh token and its access tokens die. */
    revokeRefreshToken(token: string) {
      const grant = refresh.get(token);
      if (grant) grant.revoked = true;
    },
  } satisfies PlatformSimulator & Record<string, unknown>;
  return simulator;
}

export type YouTubeSimulator = ReturnType<typeof createYouTubeSimulator>;
