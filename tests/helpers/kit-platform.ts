/**
 * A small scripted platform for testing the kit itself (not a real platform): accounts live
 * on instances (per-account origin from the account's `instance` setting), each instance
 * registers OAuth apps (POST /api/v1/apps), publishing needs an app-level token next to the
 * user's, refresh tokens rotate with a grace period, and tokens refresh once ≥ 24 h old.
 * Its simulator is built on the simulator kit (src/platform/simulator-oauth.ts).
 */
import { z } from 'zod';
import { defineAdapter } from '../../src/platform/define.ts';
import { adapterErrors } from '../../src/platform/codes.ts';
import { parseBody } from '../../src/platform/http.ts';
import { defineOAuth2 } from '../../src/platform/oauth2.ts';
import type { PlatformManifest } from '../../src/platform/port.ts';
import { createSimServer, simToken, type SimRequest } from '../../src/platform/simulator-kit.ts';
import { createSimOAuth } from '../../src/platform/simulator-oauth.ts';

const PLACEHOLDER = 'https://instance.invalid';
export const GRACE_MS = 2 * 60 * 60_000;
export const DAY_MS = 24 * 60 * 60_000;

const manifest: PlatformManifest = {
  platform: 'mastodon',
  displayName: 'Kit Test Instance',
  docs: 'tests/helpers/kit-platform.ts',
  text: { maxLength: 500, unit: 'characters', count: (t) => [...t].length, required: true },
  media: { maxItems: 0, kinds: {}, mixing: 'any', required: false },
  capabilities: { threads: false, firstComment: false, idempotentWrite: false, lookup: false, handoff: false, refresh: 'rotating', oauth: true },
  origin: { setting: 'instance' },
  refreshPolicy: { minAgeMs: DAY_MS },
  options: z.object({}).strict(),
  accountSettings: z.object({ instance: z.string() }),
  externalIdDescription: 'the account id on its instance',
};

const oauth2 = defineOAuth2({
  platform: 'mastodon',
  displayName: 'Kit Test Instance',
  authorizeUrl: `${PLACEHOLDER}/oauth/authorize`,
  tokenUrl: `${PLACEHOLDER}/oauth/token`,
  scopes: ['read', 'write'],
  pkce: true,
  clientAuth: 'form',
  rotation: { kind: 'rotating', graceMs: GRACE_MS },
  docs: 'tests/helpers/kit-platform.ts',
});

const appAnswer = z.object({ client_id: z.string(), client_secret: z.string() });
const appTokenAnswer = z.object({ app_token: z.string(), expires_in: z.number() });
const statusAnswer = z.object({ id: z.string(), url: z.string() });
const meAnswer = z.object({ id: z.string(), username: z.string() });

const mastodonErrors = adapterErrors('mastodon', {
  'mastodon.unauthorized': { kind: 'auth', meaning: 'the test platform refused the token' },
  'mastodon.refused': { kind: 'rejected', meaning: 'the test platform refused the status' },
  'mastodon.me_failed': { kind: 'transient', meaning: 'the test platform did not answer /me' },
  'mastodon.app_registration_failed': { kind: 'transient', meaning: 'the test platform refused the app registration' },
  'mastodon.app_token_failed': { kind: 'transient', meaning: 'the test platform refused the app token' },
}, { oauth: true });
const { authFailed, rejected, transient } = mastodonErrors;

export const kitAdapter = defineAdapter({
  codes: mastodonErrors.codes,
  manifest,
  progress: z.object({}),
  async publish(input, ctx) {
    const send = async (appToken: string) => ctx.http.request({
      method: 'POST', url: `${ctx.origin}/api/v1/statuses`, phase: 'write',
      headers: { authorization: `Bearer ${ctx.credentials.accessToken}`, 'x-app-token': appToken, 'content-type': 'application/json' },
      body: JSON.stringify({ status: input.text }),
    });
    const first = await ctx.appToken!();
    let res = await send(first);
    // The platform refused the app token (nothing was written): fetch it again once, send again.
    if (res.status === 403 && (res.safeJson() as { error?: string } | undefined)?.error === 'app_token_invalid') res = await send(await ctx.appToken!({ invalid: first }));
    if (res.status === 401) throw authFailed({ code: 'mastodon.unauthorized', refreshable: true, message: 'token refused' });
    if (res.status !== 200) throw rejected({ code: 'mastodon.refused', message: `refused ${res.status} ${res.text}` });
    const s = parseBody(statusAnswer, res, { platform: 'mastodon', phase: 'write', doc: manifest.docs });
    return { status: 'published', receipt: { platformPostId: s.id, url: s.url } };
  },
  refresh: oauth2.refresh,
  oauth: {
    ...oauth2.flow(async (t, ctx) => {
      const res = await ctx.http.request({ method: 'GET', url: `${ctx.origin}/api/v1/me`, headers: { authorization: `Bearer ${t.access_token}` }, phase: 'read' });
      if (res.status !== 200) throw transient({ code: 'mastodon.me_failed', message: res.text });
      const me = parseBody(meAnswer, res, { platform: 'mastodon', phase: 'read', doc: manifest.docs });
      return { externalId: me.id, handle: me.username };
    }),
    async register(origin, redirectUri, ctx) {
      const res = await ctx.http.request({
        method: 'POST', url: `${origin}/api/v1/apps`, phase: 'prepare', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'Herald', redirect_uris: redirectUri, scopes: 'read write' }),
      });
      if (res.status !== 200) throw transient({ code: 'mastodon.app_registration_failed', message: res.text });
      const app = parseBody(appAnswer, res, { platform: 'mastodon', phase: 'prepare', doc: manifest.docs });
      return { clientId: app.client_id, clientSecret: app.client_secret };
    },
  },
  appToken: {
    async fetch(ctx, { force }) {
      const app = ctx.app ?? { clientId: ctx.settings.clientId ?? '', clientSecret: ctx.settings.clientSecret };
      const res = await ctx.http.request({
        method: 'POST', url: `${ctx.origin ?? PLACEHOLDER}/api/v1/app_token`, phase: 'prepare',
        body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret ?? '', force_refresh: String(force) }),
      });
      if (res.status !== 200) throw transient({ code: 'mastodon.app_token_failed', message: res.text });
      const t = parseBody(appTokenAnswer, res, { platform: 'mastodon', phase: 'prepare', doc: manifest.docs });
      return { token: t.app_token, expiresAt: new Date(Date.now() + t.expires_in * 1000).toISOString() };
    },
  },
});

/** One instance of the scripted platform. */
export function createKitSimulator(opts: { now?: () => number } = {}) {
  const apps = new Map<string, string>();
  const users = new Map<string, { id: string; username: string }>();
  const state = { statuses: [] as { id: string; userId: string; text: string }[], appTokens: new Set<string>(), appTokenFetches: 0, registrations: 0 };
  const server = createSimServer({ name: 'kit' });
  const oauth = createSimOAuth({
    prefix: 'kit', accessTokenTtlMs: 2 * 60 * 60_000, rotation: { kind: 'rotating', graceMs: GRACE_MS }, clientAuth: ['form'],
    checkClient: (id, secret) => apps.has(id) && (secret === undefined || apps.get(id) === secret), pkce: 'required', ...(opts.now ? { now: opts.now } : {}),
  });
  let browserUser: string | undefined;
  const newUser = () => {
    // Ids are unique across instances, as `acct@instance` handles are.
    const u = { id: simToken('user'), username: `kit_user_${users.size + 1}` };
    users.set(u.id, u);
    return u;
  };
  oauth.routes(server, { authorize: '/oauth/authorize', token: '/oauth/token' }, () => (browserUser ??= newUser().id));

  server.route('POST', '/api/v1/apps', () => {
    state.registrations += 1;
    const id = simToken('app');
    const secret = simToken('secret');
    apps.set(id, secret);
    return { status: 200, body: { client_id: id, client_secret: secret } };
  });
  server.route('POST', '/api/v1/app_token', (req) => {
    const f = req.form();
    if (apps.get(f.get('client_id') ?? '') !== f.get('client_secret')) return { status: 401, body: { error: 'invalid_client' } };
    state.appTokenFetches += 1;
    const token = simToken('apptok');
    state.appTokens.add(token);
    return { status: 200, body: { app_token: token, expires_in: 7200 } };
  });
  const authed = (req: SimRequest) => oauth.bearer(req);
  server.route('GET', '/api/v1/me', (req) => {
    const who = authed(req);
    return who.ok ? { status: 200, body: users.get(who.userId) } : { status: 401, body: { error: 'The access token is invalid' } };
  });
  server.route('POST', '/api/v1/statuses', (req) => {
    const who = authed(req);
    if (!who.ok) return { status: 401, body: { error: 'The access token is invalid' } };
    if (!state.appTokens.has(String(req.headers['x-app-token'] ?? ''))) return { status: 403, body: { error: 'app_token_invalid' } };
    const status = { id: String(state.statuses.length + 1), userId: who.userId, text: String((req.json() as { status?: unknown })?.status ?? '') };
    state.statuses.push(status);
    return { status: 200, body: { id: status.id, url: `${req.origin}/@${users.get(who.userId)?.username}/${status.id}` } };
  });

  return {
    server, state, oauth,
    /** An account with tokens, as POST /v1/accounts takes it. */
    createDemoAccount(issuedAgoMs = 0) {
      const u = newUser();
      const t = oauth.issue(u.id, 'read write');
      return {
        externalId: u.id, handle: u.username,
        credentials: {
          accessToken: t.access_token, refreshToken: t.refresh_token!, expiresAt: new Date(Date.now() + t.expires_in * 1000).toISOString(),
          issuedAt: new Date(Date.now() - issuedAgoMs).toISOString(),
        },
      };
    },
    /** The instance forgets every app token it issued (the platform rotated them). */
    invalidateAppTokens() {
      state.appTokens.clear();
    },
  };
}
