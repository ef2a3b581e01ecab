/**
 * The kit's promises for the platforms that come next, through a scripted test platform
 * (tests/helpers/kit-platform.ts) and its simulator: per-account origins, OAuth apps
 * registered per instance and reused, app-level tokens owned and locked by Herald, the
 * refresh policy as manifest data, and a lost refresh answer retried within the rotation
 * grace period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { PlatformRuntime } from '../../src/platform/runtime.ts';
import { silentLog } from '../helpers/adapter-harness.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';
import { createKitSimulator, DAY_MS, kitAdapter } from '../helpers/kit-platform.ts';

let h: TestHerald;
let a: ReturnType<typeof createKitSimulator>;
let b: ReturnType<typeof createKitSimulator>;
let creator: { id: string; key: string };

beforeAll(async () => {
  a = createKitSimulator();
  b = createKitSimulator();
  await a.server.start();
  await b.server.start();
  h = await startTestHerald({ worker: true, extraAdapters: [['mastodon', kitAdapter]], env: { PUBLIC_URL: 'https://herald.example.test' } });
  creator = await h.creator('kit');
});
afterAll(async () => {
  await h?.stop();
  await a?.server.stop();
  await b?.server.stop();
});

/** Connect through Herald's OAuth on an instance, as a browser would. */
async function connectOn(sim: ReturnType<typeof createKitSimulator>, key: string) {
  const start = await h.api!.inject({ method: 'GET', url: `/v1/connect/mastodon?origin=${encodeURIComponent(sim.server.origin())}`, headers: bearer(key) });
  expect(start.statusCode, start.body).toBe(200);
  const link = new URL(start.json().authUrl);
  const opened = await h.api!.inject({ method: 'GET', url: link.pathname + link.search });
  expect(opened.statusCode, opened.body).toBe(302);
  expect(String(opened.headers.location).startsWith(`${sim.server.origin()}/oauth/authorize?`)).toBe(true);
  const page = await fetch(String(opened.headers.location), { redirect: 'manual' });
  const back = new URL(page.headers.get('location')!);
  const cb = await h.api!.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: String(opened.headers['set-cookie']).split(';')[0]! } });
  expect(cb.statusCode, cb.body).toBe(200);
  return cb.json().account as { id: string; settings: Record<string, unknown> };
}

/** An account added with tokens, on `sim`, whose instance app Herald has registered. */
async function accountOn(sim: ReturnType<typeof createKitSimulator>, issuedAgoMs = 0) {
  const origin = sim.server.origin();
  await h.store.apps.registerOnce('mastodon', origin, () => kitAdapter.oauth!.register!(origin, 'https://herald.example.test/v1/connect/mastodon/callback', h.runtime.refreshContext('mastodon', new AbortController().signal, silentLog, { origin })));
  const demo = sim.createDemoAccount(issuedAgoMs);
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'mastodon', externalId: demo.externalId, credentials: demo.credentials, settings: { instance: origin } } });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().id as string;
}

async function publish(accountId: string, text: string) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text, targets: [{ accountId }] } });
  expect(res.statusCode, res.body).toBe(202);
  return h.waitFor(res.json().deliveries[0].id, (d) => d.status === 'published' || d.status === 'failed');
}

describe('platform kit', () => {
  it('registers Herald\'s OAuth app once per instance (secret sealed), reuses it, and stores the account\'s origin', async () => {
    const first = await connectOn(a, creator.key);
    expect(first.settings.instance).toBe(a.server.origin());
    const other = await h.creator('kit-2');
    await connectOn(a, other.key);
    expect(a.state.registrations).toBe(1);
    const onB = await connectOn(b, creator.key);
    expect(onB.settings.instance).toBe(b.server.origin());
    expect(b.state.registrations).toBe(1);
    const raw = await h.store.redis.hgetall(h.store.k.oauthApp('mastodon', a.server.origin()));
    expect(raw.clientId).toMatch(/^app_/);
    expect(raw.secret).toMatch(/^v2\./);
    expect(raw.secret).not.toContain('secret_');
  });

  it('publishes each account to its own instance, with one app token per app shared by all deliveries, fetched again once when refused', async () => {
    const onA = await accountOn(a);
    const onB = await accountOn(b);
    const before = { a: a.state.appTokenFetches, b: b.state.appTokenFetches, statusesA: a.state.statuses.length };
    const done = await Promise.all([publish(onA, 'one'), publish(onA, 'two'), publish(onA, 'three'), publish(onB, 'on b')]);
    expect(done.map((d) => d.status)).toEqual(['published', 'published', 'published', 'published']);
    expect(a.state.statuses.length - before.statusesA).toBe(3);
    expect(b.state.statuses.map((s) => s.text)).toContain('on b');
    expect(a.state.appTokenFetches - before.a).toBe(1);
    expect(b.state.appTokenFetches - before.b).toBe(1);
    const fetched = a.state.appTokenFetches;

    a.invalidateAppTokens();
    const again = await Promise.all([publish(onA, 'after rotation 1'), publish(onA, 'after rotation 2')]);
    expect(again.map((d) => d.status)).toEqual(['published', 'published']);
    expect(a.state.appTokenFetches - fetched).toBe(1);
  });

  it('checks the effective origin: PLATFORM_<NAME>_URL first, then the URL policy', () => {
    const platforms = loadConfig({}, []).platforms;
    const strict = new PlatformRuntime(platforms, new Map([['mastodon', kitAdapter]]), 1_000, false);
    expect(strict.originOf('mastodon', { instance: 'https://social.example/some/path' })).toBe('https://social.example');
    for (const instance of ['http://127.0.0.1:8080', 'https://10.1.2.3', 'https://user:pw@social.example', 'http://social.example']) {
      expect(() => strict.originOf('mastodon', { instance })).toThrow(expect.objectContaining({ kind: 'rejected', code: 'origin_not_allowed' }));
    }
    expect(() => strict.originOf('mastodon', {})).toThrow(expect.objectContaining({ code: 'origin_missing' }));
    const overridden = new PlatformRuntime({ ...platforms, mastodon: { ...platforms.mastodon, baseUrl: 'http://127.0.0.1:9' } }, new Map([['mastodon', kitAdapter]]), 1_000, false);
    expect(() => overridden.originOf('mastodon', { instance: 'https://social.example' })).toThrow(expect.objectContaining({ code: 'origin_not_allowed' }));
    expect(overridden.http('mastodon', undefined, undefined, 'https://social.example').rewrite('https://social.example/api/v1/statuses')).toBe('http://127.0.0.1:9/api/v1/statuses');
    expect(strict.originOf('x', { instance: 'http://127.0.0.1' })).toBeUndefined();
  });

  it('refreshes by the manifest\'s policy: once a token is 24 h old, not before', async () => {
    const young = await accountOn(a, DAY_MS - 60 * 60_000);
    const old = await accountOn(a, DAY_MS + 60 * 60_000);
    const refreshes = a.oauth.refreshCount;
    expect((await publish(young, 'young token')).status).toBe('published');
    expect(a.oauth.refreshCount).toBe(refreshes);
    expect((await publish(old, 'old token')).status).toBe('published');
    expect(a.oauth.refreshCount).toBe(refreshes + 1);
    const creds = await h.store.accounts.credentials(old);
    expect(Date.now() - Date.parse(creds!.issuedAt!)).toBeLessThan(60_000);
  });

  it('sends a refresh again at once when its answer was lost and the old token is still in its grace period', async () => {
    const id = await accountOn(a, DAY_MS + 60 * 60_000);
    const { account, credentials } = (await h.store.accounts.getWithCredentials(id))!;
    a.server.injectFault({ method: 'POST', path: '/oauth/token', fault: { type: 'drop_after_commit' } });
    const refreshes = a.oauth.refreshCount;
    const out = await h.refresher.ensureFresh(account, kitAdapter, credentials);
    expect(out.refreshed).toBe(true);
    expect(a.oauth.refreshCount).toBe(refreshes + 2);
    expect((await h.store.accounts.get(id))!.refreshRisk).toBeUndefined();
    expect((await h.store.accounts.credentials(id))!.refreshToken).toBe(out.credentials.refreshToken);
  });
});
