/**
 * A local X API v2 for tests and sandbox mode, following shared/platforms/x.md ("A simulator
 * must imitate"): same paths, bodies, problem shapes and x-rate-limit-* headers; rotating
 * single-use refresh tokens; both media upload styles with ordered segments and a STATUS
 * that moves pending → in_progress → succeeded; text counted with the twitter-text v3 rules.
 */
import { createHash } from 'node:crypto';
import {
  createRateBudget, createSimServer, rateLimitHeaders, type PlatformSimulator, type SimRequest, type SimResponse, type SimServer,
} from '../../src/platform/simulator-kit.ts';
import { createSimOAuth, type SimOAuthError } from '../../src/platform/simulator-oauth.ts';
import { invalid, ok, problem, registerMediaRoutes, type SimMedia, type SimUser } from './simulator-media.ts';
import { findUrls, parseTweet } from './text.ts';

export type { SimMedia, SimUser } from './simulator-media.ts';

export interface XSimulatorOptions {
  /** Access-token lifetime; X: 2 hours. */
  accessTokenTtlMs?: number;
  /** Identical text from the same user inside this window → 403 duplicate (X: undocumented). */
  duplicateWindowMs?: number;
  /** Per-user POST /2/tweets budget per 15 minutes (docs: 100). */
  postsPer15Min?: number;
  /** Per-app POST /2/tweets budget per 24 hours (docs: 10,000). */
  appPostsPer24h?: number;
  /** STATUS polls before a GIF / video is `succeeded`. */
  statusPollsUntilReady?: number;
  /** `check_after_secs` in processing_info. */
  checkAfterSecs?: number;
  /** Authorization codes expire after 30 s (docs). */
  codeTtlMs?: number;
  /** The app's client secret: when set, a confidential client presenting another one is refused (401 unauthorized_client). */
  clientSecret?: string;
  now?: () => number;
}

export interface SimTweet {
  id: string; text: string; authorId: string; replyTo?: string; mediaIds: string[]; replySettings?: string; createdAt: number;
  /** Engagement so far (tests raise it); a new post has none. */
  metrics?: Partial<Record<'retweet_count' | 'reply_count' | 'like_count' | 'quote_count' | 'bookmark_count' | 'impression_count', number>>;
}
export interface XSimState {
  users: Map<string, SimUser>;
  tweets: SimTweet[];
  media: Map<string, SimMedia>;
  refreshCount: number;
  /** Answer every API call with 429 usage-capped. */
  usageCapped: boolean;
  /** The next GIF / video to finalize ends its processing in `failed`. */
  failNextProcessing: boolean;
}
export interface XSimulator extends PlatformSimulator {
  server: SimServer;
  state: XSimState;
  expireAccessToken(token?: string): void;
  expireAllAccessTokens(): void;
}

const SCOPES = 'tweet.read tweet.write users.read media.write offline.access';
const WINDOW_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
// CreatePostsRequest properties (openapi, additionalProperties: false).
const POST_FIELDS = new Set([
  'text', 'media', 'reply', 'quote_tweet_id', 'poll', 'reply_settings', 'geo', 'for_super_followers_only', 'community_id',
  'share_with_followers', 'nullcast', 'card_uri', 'direct_message_deep_link', 'made_with_ai', 'paid_partnership', 'edit_options',
]);
const NESTED_FIELDS: Record<string, Set<string>> = {
  media: new Set(['media_ids', 'tagged_user_ids']), reply: new Set(['in_reply_to_tweet_id', 'exclude_reply_user_ids']),
};
const REPLY_SETTINGS = new Set(['following', 'mentionedUsers', 'subscribers', 'verified']);

/** X answers a bad code or refresh token with invalid_request (docs; tav2#496). */
const X_OAUTH_ERRORS: Record<SimOAuthError, SimResponse> = {
  invalid_code: { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' } },
  redirect_mismatch: { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' } },
  invalid_refresh_token: { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } },
  missing_client: { status: 400, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } },
  invalid_client: { status: 401, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } },
  unsupported_grant_type: { status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant_type is not supported' } },
};
const notPermitted = () => problem(403, 'Forbidden', 'You are not permitted to perform this action.');
const tco = (seed: string) => `https://t.co/${createHash('sha256').update(seed).digest('hex').slice(0, 10)}`;

export function createXSimulator(opts: XSimulatorOptions = {}): XSimulator {
  const now = opts.now ?? Date.now;
  const ttl = opts.accessTokenTtlMs ?? 2 * 60 * 60 * 1000;
  const pollsUntilReady = Math.max(1, opts.statusPollsUntilReady ?? 2);
  const checkAfterSecs = opts.checkAfterSecs ?? 1;
  const state: XSimState = { users: new Map(), tweets: [], media: new Map(), refreshCount: 0, usageCapped: false, failNextProcessing: false };
  // X's authorization server, on the simulator kit: PKCE (S256 or plain), codes valid 30 s,
  // a confidential client with Basic or a public one with client_id, single-use rotating
  // refresh tokens issued only with offline.access, and X's error wording.
  const oauth = createSimOAuth({
    prefix: 'xsim', accessTokenTtlMs: ttl, rotation: { kind: 'single-use' }, clientAuth: ['basic', 'public'],
    ...(opts.clientSecret !== undefined ? { client: { secret: opts.clientSecret } } : {}),
    pkce: 'required', pkceMethods: ['S256', 'plain'], codeTtlMs: opts.codeTtlMs ?? 30_000, now,
    issuesRefreshToken: (scope) => scope.split(' ').includes('offline.access'),
    error: (e: SimOAuthError) => X_OAUTH_ERRORS[e],
  });
  Object.defineProperty(state, 'refreshCount', { get: () => oauth.refreshCount, enumerable: true });
  let nextTweetId = 1880028106020515840n;
  let oauthUser: SimUser | undefined;
  const server = createSimServer({
    name: 'x',
    describeState: () => ({ users: [...state.users.values()], tweets: state.tweets, media: [...state.media.values()], refreshCount: state.refreshCount, usageCapped: state.usageCapped }),
  });

  function createUser(): SimUser {
    const n = state.users.size + 1;
    const user = { id: String(1600000000000000000n + BigInt(n)), username: `herald_demo_${n}`, name: `Herald Demo ${n}` };
    state.users.set(user.id, user);
    return user;
  }

  const budget = createRateBudget(now);
  const consume = budget.consume;
  const limitHeaders = rateLimitHeaders.x;

  function userOf(req: SimRequest): SimUser | undefined {
    const who = oauth.bearer(req);
    return who.ok ? state.users.get(who.userId) : undefined;
  }

  /** An authenticated API route with its own 15-minute budget; every answer carries x-rate-limit-*. */
  function api(method: string, path: string, group: string, limit: number, handler: (req: SimRequest, user: SimUser) => SimResponse | Promise<SimResponse>) {
    server.route(method, path, async (req) => {
      const user = userOf(req);
      const rl = consume(`${group}:${user?.id ?? 'anonymous'}`, limit, WINDOW_MS, user !== undefined);
      let out: SimResponse;
      if (!user) out = problem(401, 'Unauthorized', 'Unauthorized');
      else if (state.usageCapped) {
        out = problem(429, 'UsageCapExceeded', 'Usage cap exceeded: Monthly product cap', 'https://api.x.com/2/problems/usage-capped', { period: 'Monthly', scope: 'Product' });
      } else if (rl.over) out = problem(429, 'Too Many Requests', 'Too Many Requests', 'https://api.x.com/2/problems/rate-limit-exceeded');
      else out = await handler(req, user);
      return { ...out, headers: { ...limitHeaders(rl), ...out.headers } };
    });
  }
  /** Unauthenticated routes (OAuth) still answer with x-rate-limit-* headers. */
  function open(method: string, path: string, handler: (req: SimRequest) => SimResponse) {
    server.route(method, path, (req) => {
      const out = handler(req);
      return { ...out, headers: { ...limitHeaders(consume(`oauth:${path}`, 900, WINDOW_MS, true)), ...out.headers } };
    });
  }

  // ---- OAuth 2.0 + PKCE -------------------------------------------------------------
  // Unauthenticated routes still answer with x-rate-limit-* headers.
  oauth.routes(server, { authorize: '/i/oauth2/authorize', token: '/2/oauth2/token' }, () => (oauthUser ??= createUser()).id, (handler) => async (req) => {
    const out = await handler(req);
    return { ...out, headers: { ...limitHeaders(consume(`oauth:${req.path}`, 900, WINDOW_MS, true)), ...out.headers } };
  });

  open('POST', '/2/oauth2/revoke', (req) => {
    const token = req.form().get('token') ?? '';
    oauth.revokeAccessToken(token);
    oauth.revokeRefreshToken(token);
    return ok({ revoked: true });
  });

  // ---- Users ------------------------------------------------------------------------
  api('GET', '/2/users/me', 'users_me', 75, (_req, user) => ok({ data: { id: user.id, name: user.name, username: user.username } }));

  /** The text as X returns it: links rewritten to t.co, a t.co link for media, & < > escaped. */
  function rendered(t: SimTweet): string {
    const text = t.text.normalize('NFC');
    let out = '';
    let pos = 0;
    findUrls(text).forEach((u, i) => {
      out += text.slice(pos, u.start) + tco(`${t.id}:${i}`);
      pos = u.end;
    });
    out += text.slice(pos);
    if (t.mediaIds.length > 0) out += `${out ? ' ' : ''}${tco(`${t.id}:media`)}`;
    return out.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
  const rootOf = (t: SimTweet): string => {
    const parent = t.replyTo ? state.tweets.find((p) => p.id === t.replyTo) : undefined;
    return parent ? rootOf(parent) : t.id;
  };

  api('GET', '/2/users/:id/tweets', 'user_tweets', 900, (req) => {
    const max = Number(req.query.get('max_results') ?? '10');
    if (!Number.isInteger(max) || max < 5 || max > 100) return invalid(`The \`max_results\` query parameter value [${req.query.get('max_results')}] is not between 5 and 100`);
    const start = req.query.get('start_time');
    const since = start ? Date.parse(start) : -Infinity;
    if (Number.isNaN(since)) return invalid(`Invalid start_time [${start}]`);
    const fields = new Set((req.query.get('tweet.fields') ?? '').split(',').filter(Boolean));
    const noReplies = (req.query.get('exclude') ?? '').split(',').includes('replies');
    const list = state.tweets.filter((t) => t.authorId === req.params.id && t.createdAt >= since && !(noReplies && t.replyTo)).reverse();
    const offset = Number(Buffer.from(req.query.get('pagination_token') ?? '', 'base64url').toString() || '0');
    const page = list.slice(offset, offset + max);
    const data = page.map((t) => ({
      id: t.id, text: rendered(t), edit_history_tweet_ids: [t.id],
      ...(fields.has('created_at') ? { created_at: new Date(t.createdAt).toISOString() } : {}),
      ...(fields.has('author_id') ? { author_id: t.authorId } : {}),
      ...(fields.has('conversation_id') ? { conversation_id: rootOf(t) } : {}),
      ...(fields.has('referenced_tweets') && t.replyTo ? { referenced_tweets: [{ type: 'replied_to', id: t.replyTo }] } : {}),
    }));
    const more = offset + max < list.length;
    const meta = {
      result_count: page.length,
      ...(page.length > 0 ? { newest_id: page[0]!.id, oldest_id: page[page.length - 1]!.id } : {}),
      ...(more ? { next_token: Buffer.from(String(offset + max)).toString('base64url') } : {}),
    };
    return ok(page.length > 0 ? { data, meta } : { meta });
  });

  // ---- Posts ------------------------------------------------------------------------
  api('POST', '/2/tweets', 'tweets', opts.postsPer15Min ?? 100, (req, user) => {
    const day = consume('app:tweets', opts.appPostsPer24h ?? 10_000, DAY_MS, true);
    const dayHeaders = limitHeaders(day, 'x-app-limit-24hour');
    const answer = (out: SimResponse): SimResponse => ({ ...out, headers: { ...dayHeaders, ...out.headers } });
    if (day.over) return answer(problem(429, 'Too Many Requests', 'Too Many Requests', 'https://api.x.com/2/problems/rate-limit-exceeded'));
    const body = req.json();
    if (!body || typeof body !== 'object' || Array.isArray(body)) return answer(invalid('Request body must be a JSON object'));
    const b = body as Record<string, unknown>;
    const extra = Object.keys(b).filter((k) => !POST_FIELDS.has(k))
      .concat(...Object.entries(NESTED_FIELDS).map(([k, allowed]) => (b[k] && typeof b[k] === 'object' ? Object.keys(b[k]).filter((f) => !allowed.has(f)).map((f) => `${k}.${f}`) : [])));
    if (extra.length > 0) return answer(invalid(...extra.map((k) => `$.${k}: is not defined in the schema and the schema does not allow additional properties`)));
    if (b.text !== undefined && typeof b.text !== 'string') return answer(invalid('$.text: string expected'));
    if (b.reply_settings !== undefined && !REPLY_SETTINGS.has(String(b.reply_settings))) return answer(invalid(`$.reply_settings: does not have a value in the enumeration`));
    const text = (b.text as string | undefined) ?? '';
    const mediaIds = (b.media as { media_ids?: unknown } | undefined)?.media_ids;
    let media: SimMedia[] = [];
    if (b.media !== undefined) {
      if (!Array.isArray(mediaIds) || mediaIds.length < 1 || mediaIds.length > 4 || !mediaIds.every((i) => typeof i === 'string' && /^\d{1,19}$/.test(i))) {
        return answer(invalid('$.media.media_ids: must hold 1 to 4 numeric id strings'));
      }
      const found = mediaIds.map((i) => state.media.get(i as string));
      if (found.some((m) => !m || m.ownerId !== user.id || !m.finalized || m.state !== 'succeeded' || m.expiresAt < now())) return answer(invalid('Your media IDs are invalid.'));
      media = found as SimMedia[];
      if (media.some((m) => m.kind !== 'image') && media.length > 1) return answer(notPermitted());
    }
    if (text === '' && media.length === 0) return answer(invalid('$.text: text is required unless media is present'));
    const replyTo = (b.reply as { in_reply_to_tweet_id?: unknown } | undefined)?.in_reply_to_tweet_id;
    if (replyTo !== undefined && !state.tweets.some((t) => t.id === replyTo)) {
      return answer(problem(403, 'Forbidden', 'You attempted to reply to a Tweet that is deleted or not visible to you.'));
    }
    if (text !== '' && !parseTweet(text).valid) return answer(notPermitted());
    const same = text.normalize('NFC').trim();
    const windowMs = opts.duplicateWindowMs ?? DAY_MS;
    if (same !== '' && state.tweets.some((t) => t.authorId === user.id && t.text.normalize('NFC').trim() === same && now() - t.createdAt < windowMs)) {
      return answer(problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'));
    }
    const tweet: SimTweet = {
      id: String((nextTweetId += 1n)), text, authorId: user.id, mediaIds: media.map((m) => m.id), createdAt: now(),
      ...(typeof replyTo === 'string' ? { replyTo } : {}), ...(b.reply_settings ? { replySettings: String(b.reply_settings) } : {}),
    };
    state.tweets.push(tweet);
    return answer(ok({ data: { id: tweet.id, text: rendered(tweet), edit_history_tweet_ids: [tweet.id] } }, 201));
  });

  api('DELETE', '/2/tweets/:id', 'tweets_delete', 50, (req, user) => {
    const i = state.tweets.findIndex((t) => t.id === req.params.id && t.authorId === user.id);
    if (i < 0) return problem(404, 'Not Found Error', `Could not find tweet with id: [${req.params.id}].`, 'https://api.x.com/2/problems/resource-not-found');
    state.tweets.splice(i, 1);
    return ok({ data: { deleted: true } });
  });

  // GET /2/tweets/:id (https://docs.x.com/x-api/posts/get-post-by-id): default fields id, text,
  // edit_history_tweet_ids; `tweet.fields=public_metrics` adds the counts. A missing post is a
  // 200 with an `errors` array and no `data` (the v2 partial-error shape). 900 / 15 min per user.
  api('GET', '/2/tweets/:id', 'tweets_lookup', 900, (req) => {
    const t = state.tweets.find((x) => x.id === req.params.id);
    if (!t) {
      return ok({ errors: [{ value: req.params.id, detail: `Could not find tweet with id: [${req.params.id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'id', resource_id: req.params.id, type: 'https://api.x.com/2/problems/resource-not-found' }] });
    }
    const fields = new Set((req.query.get('tweet.fields') ?? '').split(',').filter(Boolean));
    const m = t.metrics ?? {};
    return ok({
      data: {
        id: t.id, text: rendered(t), edit_history_tweet_ids: [t.id],
        ...(fields.has('public_metrics') ? {
          public_metrics: {
            retweet_count: m.retweet_count ?? 0, reply_count: m.reply_count ?? 0, like_count: m.like_count ?? 0,
            quote_count: m.quote_count ?? 0, bookmark_count: m.bookmark_count ?? 0, impression_count: m.impression_count ?? 0,
          },
        } : {}),
      },
    });
  });

  registerMediaRoutes({ api, state, now, pollsUntilReady, checkAfterSecs });

  return {
    server,
    state,
    createDemoAccount() {
      const user = createUser();
      const t = oauth.issue(user.id, SCOPES);
      return {
        externalId: user.id, handle: user.username,
        credentials: { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: new Date(now() + ttl).toISOString(), scope: SCOPES },
      };
    },
    expireAccessToken(token) {
      oauth.expireAccessToken(token);
    },
    expireAllAccessTokens() {
      oauth.expireAccessToken();
    },
  };
}
