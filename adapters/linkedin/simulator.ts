/**
 * A local LinkedIn: OAuth, /v2/userinfo, Posts, Images, Documents, Videos and Comments
 * with the documented paths, Rest.li error bodies, versioning headers, duplicate check,
 * a daily per-member budget (429 without headers) and token lifetimes. Numbers are options.
 */
import {
  createSimServer, type PlatformSimulator, type SimHandler, type SimRequest, type SimResponse, type SimServer, simToken,
} from '../../src/platform/simulator-kit.ts';
import { type LittleReading, readLittle } from './simulator-little.ts';
import {
  err, header, jsonBody, type Member, missing, notMap, registerMediaRoutes, settle, type SimAsset, type Token,
} from './simulator-media.ts';

export type { SimAsset };

const DAY = 86_400_000;

export interface LinkedInSimOptions {
  accessTokenTtlMs?: number; // 60 days [V]
  refreshTokenTtlMs?: number; // 365 days from first consent; a refresh never extends it [V]
  duplicateWindowMs?: number; // same author + non-empty commentary (deleted "ghosts" too) → 422 DUPLICATE_POST; 24 h [S]
  dailyPostBudget?: number; // POST /rest/posts calls per member per UTC day before 429; 150 [U]
  videoPollsUntilAvailable?: number; // GET /rest/videos answers PROCESSING this often after finalize; 2
  videoProcessingFails?: boolean; // finalized videos end in PROCESSING_FAILED
  mediaProcessingMs?: number; // images and documents stay PROCESSING this long after their PUT [S 2026]; 1000
  supportedVersions?: string[]; // LinkedIn-Version values served; others → 426. Default: released and not sunset on `clock`
  clock?: () => Date; // the simulator's date for version sunsets; default: now
  uploadUrlTtlMs?: number; // upload URLs answer 401 after this; 24 h [U]
  clientId?: string; // checked by the OAuth endpoints when set
  clientSecret?: string;
}

export interface SimPost {
  urn: string;
  author: string;
  body: Record<string, unknown>;
  commentary: string; // as sent (little format)
  // text: what readers see; hashtags, mentions and links LinkedIn made; unescaped: reserved characters misread as markup
  text: LittleReading['text'];
  hashtags: LittleReading['hashtags'];
  mentions: LittleReading['mentions'];
  links: LittleReading['links'];
  unescaped: LittleReading['unescaped'];
  media: string[];
  comments: { urn: string; actor: string; text: string }[];
  /** Reactions so far (tests raise it). */
  likes?: number;
  deleted: boolean;
  createdAt: number;
}



/**
 * Monthly versions, each served about 12 months, then refused with 426 [V versioning]. Published
 * sunsets [V migrations page, 2026 review]; others: the 15th of the same month a year later.
 */
const SUNSETS: Record<string, string> = { '202511': '2026-11-16', '202601': '2027-01-15' };
function served(version: string, now: Date): boolean {
  const m = /^(\d{4})(\d{2})$/.exec(version);
  if (!m) return false;
  const [year, month] = [Number(m[1]), Number(m[2])];
  if (month < 1 || month > 12 || Date.UTC(year, month - 1, 1) > now.getTime()) return false;
  const sunset = SUNSETS[version] ? Date.parse(`${SUNSETS[version]}T00:00:00Z`) : Date.UTC(year + 1, month - 1, 15);
  return now.getTime() < sunset;
}
const personUrn = (m: Member) => `urn:li:person:${m.id}`;

export function createLinkedInSimulator(opts: LinkedInSimOptions = {}) {
  const o = {
    accessTokenTtlMs: opts.accessTokenTtlMs ?? 60 * DAY,
    refreshTokenTtlMs: opts.refreshTokenTtlMs ?? 365 * DAY,
    duplicateWindowMs: opts.duplicateWindowMs ?? DAY,
    dailyPostBudget: opts.dailyPostBudget ?? 150,
    videoPollsUntilAvailable: opts.videoPollsUntilAvailable ?? 2,
    mediaProcessingMs: opts.mediaProcessingMs ?? 1_000,
    versions: opts.supportedVersions ? new Set(opts.supportedVersions) : undefined,
    clock: opts.clock ?? (() => new Date()),
    uploadUrlTtlMs: opts.uploadUrlTtlMs ?? DAY,
  };
  const state = { posts: [] as SimPost[], assets: new Map<string, SimAsset>(), refreshCount: 0, members: new Map<string, Member>(), usage: new Map<string, number>() };
  const access = new Map<string, Token>();
  const refresh = new Map<string, Token>();
  const codes = new Map<string, { memberId: string; redirectUri: string; scope: string }>();
  let seq = 0;
  /** /rest calls still to be throttled (LinkedIn also 429s to protect its infrastructure [V rate-limits]). */
  let throttled = 0;
  const server: SimServer = createSimServer({
    name: 'linkedin',
    describeState: () => ({ posts: state.posts, refreshCount: state.refreshCount, assets: [...state.assets.values()].map(({ urn, kind, status, partPuts }) => ({ urn, kind, status, partPuts })) }),
  });

  function newMember(name = `Sim Member ${state.members.size + 1}`): Member {
    const m: Member = { id: simToken('p').slice(2, 12).replace(/[^A-Za-z0-9]/g, 'x'), name, organizations: new Set() };
    state.members.set(m.id, m);
    return m;
  }
  function issue(memberId: string, scope: string) {
    const accessToken = simToken('AQV');
    const refreshToken = simToken('AQX');
    const now = Date.now();
    access.set(accessToken, { memberId, scope, revoked: false, expiresAt: now + o.accessTokenTtlMs });
    refresh.set(refreshToken, { memberId, scope, revoked: false, expiresAt: now + o.refreshTokenTtlMs });
    return { accessToken, refreshToken, expiresAt: now + o.accessTokenTtlMs, refreshTokenExpiresAt: now + o.refreshTokenTtlMs };
  }

  /** 401 bodies per the error table: INVALID 65600, REVOKED 65601, EXPIRED 65602 [S/U codes]. */
  function authorize(req: SimRequest): { member: Member; token: Token } | SimResponse {
    const t = access.get((header(req, 'authorization') ?? '').replace(/^Bearer /, ''));
    if (!t) return err(401, 'Invalid access token', { code: 'INVALID_ACCESS_TOKEN', serviceErrorCode: 65600 });
    if (t.revoked) return err(401, 'The token used in the request has been revoked by the user', { code: 'REVOKED_ACCESS_TOKEN', serviceErrorCode: 65601 });
    if (t.expiresAt <= Date.now()) return err(401, 'The token used in the request has expired', { code: 'EXPIRED_ACCESS_TOKEN', serviceErrorCode: 65602 });
    return { member: state.members.get(t.memberId)!, token: t };
  }
  const canActAs = (m: Member, urn: string) => urn === personUrn(m) || m.organizations.has(urn);
  const forbidden = (what: string) => err(403, `Not enough permissions to access: ${what}`, { serviceErrorCode: 100 });

  function rest(handler: (req: SimRequest, who: { member: Member; token: Token }) => SimResponse): SimHandler {
    return (req) => {
      const version = header(req, 'linkedin-version');
      if (!version) return err(400, 'A version must be present. Please specify a version by adding the LinkedIn-Version header.', { code: 'VERSION_MISSING' });
      if (header(req, 'x-restli-protocol-version') !== '2.0.0') return err(400, 'X-Restli-Protocol-Version: 2.0.0 is required', { code: 'ILLEGAL_ARGUMENT' });
      const base = version.split('.')[0]!;
      if (!(o.versions ? o.versions.has(base) : served(base, o.clock()))) return err(426, `Requested version ${version} is not active`, { code: 'NONEXISTENT_VERSION' });
      const who = authorize(req);
      if ('status' in who) return who;
      // Short throttles answer like the daily ones: 429, no Retry-After, no rate-limit headers [S].
      if (throttled > 0) {
        throttled--;
        return err(429, 'Resource level throttle of 1 MINUTE limit for calls to this resource is reached.');
      }
      return handler(req, who);
    };
  }

  // ---- OAuth ----
  let browserMember: Member | undefined;
  server.route('GET', '/oauth/v2/authorization', (req) => {
    const q = req.query;
    for (const k of ['response_type', 'client_id', 'redirect_uri', 'state', 'scope']) if (!q.get(k)) return { status: 400, body: `missing ${k}` };
    if (opts.clientId && q.get('client_id') !== opts.clientId) return { status: 400, body: 'unknown client_id' };
    browserMember ??= newMember('Sim Browser Member');
    const code = simToken('code');
    codes.set(code, { memberId: browserMember.id, redirectUri: q.get('redirect_uri')!, scope: q.get('scope')!.split(/[ ,]+/).join(',') });
    const to = new URL(q.get('redirect_uri')!);
    to.searchParams.set('code', code);
    to.searchParams.set('state', q.get('state')!);
    return { status: 302, headers: { location: to.toString() } };
  });

  server.route('POST', '/oauth/v2/accessToken', (req) => {
    const f = req.form();
    const oauthErr = (status: number, error: string, d: string) => ({ status, body: { error, error_description: d } });
    const client = (k: 'client_id' | 'client_secret', want?: string) => !!f.get(k) && (!want || f.get(k) === want);
    if (!client('client_id', opts.clientId) || !client('client_secret', opts.clientSecret)) return oauthErr(401, 'invalid_client', 'Client authentication failed');
    const now = Date.now();
    if (f.get('grant_type') === 'authorization_code') {
      const c = codes.get(f.get('code') ?? '');
      if (!c || c.redirectUri !== f.get('redirect_uri')) return oauthErr(400, 'invalid_grant', 'The provided authorization grant is invalid or expired');
      codes.delete(f.get('code')!);
      const t = issue(c.memberId, c.scope);
      return { status: 200, body: { access_token: t.accessToken, expires_in: Math.floor(o.accessTokenTtlMs / 1000), refresh_token: t.refreshToken, refresh_token_expires_in: Math.floor(o.refreshTokenTtlMs / 1000), scope: c.scope } };
    }
    if (f.get('grant_type') === 'refresh_token') {
      const rt = f.get('refresh_token') ?? '';
      const r = refresh.get(rt);
      if (!r || r.revoked || r.expiresAt <= now) return oauthErr(400, 'invalid_grant', 'Token has been expired or revoked.');
      state.refreshCount++;
      const accessToken = simToken('AQV');
      access.set(accessToken, { memberId: r.memberId, scope: r.scope, revoked: false, expiresAt: now + o.accessTokenTtlMs });
      // The refresh token string stays; its expiry does not slide.
      return { status: 200, body: { access_token: accessToken, expires_in: Math.floor(o.accessTokenTtlMs / 1000), refresh_token: rt, refresh_token_expires_in: Math.floor((r.expiresAt - now) / 1000), scope: r.scope } };
    }
    return oauthErr(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  });

  server.route('GET', '/v2/userinfo', (req) => {
    const who = authorize(req);
    if ('status' in who) return who;
    const [given, ...family] = who.member.name.split(' ');
    return { status: 200, body: { sub: who.member.id, name: who.member.name, given_name: given, family_name: family.join(' '), locale: { country: 'US', language: 'en' } } };
  });

  // ---- Posts ----
  server.route('POST', '/rest/posts', rest((req, { member }) => {
    const day = `${member.id}:${new Date().toISOString().slice(0, 10)}`;
    const used = state.usage.get(day) ?? 0;
    // No Retry-After and no rate-limit headers on LinkedIn 429s [S].
    if (used >= o.dailyPostBudget) return err(429, 'Resource level throttle of 1 DAY limit for calls to this resource is reached.');
    state.usage.set(day, used + 1);
    const b = jsonBody(req);
    if (!b) return notMap();
    for (const f of ['author', 'visibility', 'distribution', 'lifecycleState']) if (b[f] === undefined) return missing(`/${f}`);
    const author = String(b.author);
    if (!canActAs(member, author)) return forbidden('partnerApiPostsExternal.CREATE');
    if (!['PUBLIC', 'CONNECTIONS', 'LOGGED_IN'].includes(String(b.visibility))) return err(422, `ERROR :: /visibility :: "${String(b.visibility)}" is not an enum symbol\n`);
    const commentary = typeof b.commentary === 'string' ? b.commentary : '';
    // Rest.li validates the field as sent: 3,000 UTF-16 units of little-format text, escapes and templates included.
    if (commentary.length > 3000) return err(422, 'ERROR :: /commentary :: length of commentary exceeds 3000\n');
    const media = checkContent(b.content, author);
    if (!Array.isArray(media)) return media;
    const now = Date.now();
    // The duplicate check compares commentary: a media-only post is never refused as a duplicate [S composio#2710].
    const first = commentary === '' ? undefined : state.posts.find((p) => p.author === author && p.commentary === commentary && now - p.createdAt < o.duplicateWindowMs);
    if (first) {
      return err(422, `Unprocessable Entity: Content is a duplicate of ${first.urn}`, {
        errorDetailType: 'com.linkedin.common.error.BadRequest',
        errorDetails: { inputErrors: [{ description: 'Duplicate post is detected', input: {}, code: 'DUPLICATE_POST' }] },
      });
    }
    const urn = `urn:li:share:${7000000000000000000n + BigInt(++seq)}`;
    state.posts.push({ urn, author, body: b, commentary, ...readLittle(commentary), media, comments: [], deleted: false, createdAt: now });
    return { status: 201, headers: { 'x-restli-id': urn } };
  }));

  /** Media URNs of a post `content`, or the refusal. */
  function checkContent(content: unknown, author: string): string[] | SimResponse {
    if (content === undefined) return [];
    const c = content as { media?: { id?: string; title?: string }; multiImage?: { images?: { id?: string }[] } };
    const ready = (id: string | undefined, kinds: SimAsset['kind'][], at: string): SimResponse | undefined => {
      const a = id ? state.assets.get(id) : undefined;
      if (!a || !kinds.includes(a.kind)) return err(422, `ERROR :: ${at} :: ${String(id)} is not a valid ${kinds.join('/')} URN\n`);
      if (a.owner !== author) return forbidden(`${a.urn} is owned by another author`);
      // A post referencing media still being processed is refused [S Postiz 2026-05].
      if (settle(a).status !== 'AVAILABLE') return err(422, `ERROR :: ${at} :: ${a.urn} is not AVAILABLE (status ${a.status}): media is still processing\n`);
      return undefined;
    };
    if (c.media) {
      const bad = ready(c.media.id, ['image', 'video', 'document'], '/content/media/id');
      if (bad) return bad;
      if (state.assets.get(c.media.id!)!.kind === 'document' && !c.media.title) return missing('/content/media/title');
      return [c.media.id!];
    }
    if (c.multiImage) {
      const images = c.multiImage.images ?? [];
      if (images.length < 2 || images.length > 20) return err(422, 'ERROR :: /content/multiImage/images :: must hold 2 to 20 images\n');
      for (const [i, img] of images.entries()) {
        const bad = ready(img.id, ['image'], `/content/multiImage/images/${i}/id`);
        if (bad) return bad;
      }
      return images.map((i) => i.id!);
    }
    return err(422, 'ERROR :: /content :: unsupported content type\n');
  }

  server.route('GET', '/rest/posts/:urn', rest((req) => {
    const p = state.posts.find((x) => x.urn === req.params.urn && !x.deleted);
    return p ? { status: 200, body: { id: p.urn, ...p.body } } : err(404, `Post ${req.params.urn} not found`);
  }));
  server.route('DELETE', '/rest/posts/:urn', rest((req, { member }) => {
    const p = state.posts.find((x) => x.urn === req.params.urn && !x.deleted);
    if (!p) return err(404, `Post ${req.params.urn} not found`);
    if (!canActAs(member, p.author)) return forbidden('partnerApiPostsExternal.DELETE');
    p.deleted = true; // still a duplicate "ghost" inside the window
    return { status: 204 };
  }));

  server.route('POST', '/rest/socialActions/:urn/comments', rest((req, { member }) => {
    const p = state.posts.find((x) => x.urn === req.params.urn && !x.deleted);
    if (!p) return err(404, `Post ${req.params.urn} not found`);
    const b = jsonBody(req);
    if (!b) return notMap();
    const text = (b.message as { text?: unknown } | undefined)?.text;
    if (typeof b.actor !== 'string') return missing('/actor');
    if (typeof text !== 'string') return missing('/message/text');
    if (b.object !== p.urn) return err(400, `object ${String(b.object)} does not match ${p.urn}`);
    if (!canActAs(member, b.actor)) return forbidden('comments.CREATE');
    const urn = `urn:li:comment:(${p.urn},${++seq})`;
    p.comments.push({ urn, actor: b.actor, text });
    return { status: 201, headers: { 'x-restli-id': urn }, body: { $URN: urn, actor: b.actor, object: p.urn, message: { text } } };
  }));

  // GET /rest/socialActions/{urn} (network-update-social-actions): likes and comments summary.
  // Reading needs r_organization_social (organization posts) or the restricted r_member_social.
  server.route('GET', '/rest/socialActions/:urn', rest((req, { token }) => {
    const p = state.posts.find((x) => x.urn === req.params.urn && !x.deleted);
    if (!p) return err(404, `Post ${req.params.urn} not found`);
    const needed = p.author.startsWith('urn:li:organization:') ? 'r_organization_social' : 'r_member_social';
    if (!token.scope.split(',').includes(needed)) return forbidden('socialActions.GET');
    return {
      status: 200,
      body: {
        target: p.urn,
        likesSummary: { totalLikes: p.likes ?? 0, aggregatedTotalLikes: p.likes ?? 0, likedByCurrentUser: false },
        commentsSummary: { totalFirstLevelComments: p.comments.length, aggregatedTotalComments: p.comments.length },
      },
    };
  }));

  registerMediaRoutes({ server, assets: state.assets, rest, authorize, canActAs, forbidden, options: { ...o, videoProcessingFails: opts.videoProcessingFails ?? false } });

  const sim = {
    server,
    state,
    /** A member (or, with `organization`, a page the member administers) with fresh tokens. */
    /** `readScopes`: the token may also read (r_member_social, or r_organization_social for a page). */
    createDemoAccount(o2: { organization?: boolean; readScopes?: boolean } = {}) {
      const m = newMember();
      let externalId = personUrn(m);
      let scope = 'openid,profile,w_member_social';
      if (o2.organization) {
        externalId = `urn:li:organization:${100000 + state.members.size}`;
        m.organizations.add(externalId);
        scope += ',w_organization_social';
      }
      if (o2.readScopes) scope += o2.organization ? ',r_organization_social' : ',r_member_social';
      const t = issue(m.id, scope);
      return {
        externalId,
        handle: m.name,
        credentials: { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(t.expiresAt).toISOString(), refreshTokenExpiresAt: new Date(t.refreshTokenExpiresAt).toISOString(), scope },
        settings: {},
      };
    },
    expireAccessToken(token?: string) {
      for (const [t, v] of access) if (token === undefined || t === token) v.expiresAt = Date.now() - 1;
    },
    revokeAccessToken(token: string) {
      access.get(token)!.revoked = true;
    },
    /** The next `n` /rest calls answer 429 without headers (a short throttle). */
    throttleNext(n: number) {
      throttled = n;
    },
    /** Live posts (not deleted). */
    livePosts: () => state.posts.filter((p) => !p.deleted),
  };
  return sim satisfies PlatformSimulator;
}
