/**
 * Webhooks end to end on a real redis-server: a post published through the X simulator
 * reaches a local receiver as signed events; failures are retried with backoff from the
 * webhook queue; a day of failures disables the webhook (the clock is moved, not waited for).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import { sendEvent } from '../../src/webhooks/send.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';
import { startReceiver, type Received, type Receiver } from '../helpers/webhook-receiver.ts';

let h: TestHerald;
let sim: XSimulator;
let rx: Receiver;
let creator: { id: string; key: string };
/** Added to the webhook clock: moving it forward a day stands in for waiting a day. */
let clockOffset = 0;

beforeAll(async () => {
  sim = createXSimulator();
  rx = await startReceiver();
  h = await startTestHerald({
    worker: true, platformUrls: { x: await sim.server.start() },
    webhooks: { backoffBaseMs: 20, backoffCapMs: 200, relayIntervalMs: 50, timeoutMs: 500, now: () => Date.now() + clockOffset },
  });
  creator = await h.creator('hooks');
});
afterAll(async () => {
  await h?.stop();
  await sim?.server.stop();
  await rx?.close();
});

/** The receiver from the README, verbatim in spirit: HMAC over `t + "." + rawBody`, constant-time compare. */
function verify(secret: string, rawBody: string, header: string): boolean {
  const { t, v1 } = Object.fromEntries(header.split(',').map((kv) => kv.split('=')));
  if (!t || !v1 || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return v1.length === expected.length && timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
}

async function register(key: string, path: string, events: string[] = ['delivery.published', 'post.completed', 'account.reauth_required']) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(key), payload: { url: rx.url(path), events } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; status: string };
}

async function publishToX(key: string, text: string) {
  const demo = sim.createDemoAccount();
  const acc = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  expect(acc.statusCode, acc.body).toBe(201);
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(key), payload: { text, targets: [{ accountId: acc.json().id }] } });
  expect(res.statusCode, res.body).toBe(202);
  return { accountId: acc.json().id as string, postId: res.json().id as string, deliveryId: res.json().deliveries[0].id as string };
}

const events = (got: Received[]) => got.map((r) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, Record<string, unknown>> });

async function log(key: string, webhookId: string) {
  const res = await h.api!.inject({ method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries`, headers: bearer(key) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as { eventId: string; type: string; status: string; attempts: number; statusCodes: (number | null)[]; nextAttemptAt: string | null }[];
}

describe('webhooks', () => {
  it('sends signed delivery.published and post.completed events for a published post', async () => {
    const hook = await register(creator.key, '/published');
    expect(hook.secret).toMatch(/^whsec_/);
    const { deliveryId, postId } = await publishToX(creator.key, 'webhook hello');
    const got = await rx.waitFor('/published', (r) => r.length >= 2);
    const types = events(got).map((e) => e.type).sort();
    expect(types).toEqual(['delivery.published', 'post.completed']);
    for (const r of got) {
      expect(verify(hook.secret, r.body, String(r.headers['herald-signature']))).toBe(true);
      expect(verify(hook.secret, r.body.replace('webhook', 'w3bhook').replace('published', 'failed'), String(r.headers['herald-signature']))).toBe(false);
      expect(verify('whsec_wrong', r.body, String(r.headers['herald-signature']))).toBe(false);
      expect(r.headers['herald-event-id']).toBe(JSON.parse(r.body).id);
    }
    const [published, completed] = [events(got).find((e) => e.type === 'delivery.published')!, events(got).find((e) => e.type === 'post.completed')!];
    expect(published.data.delivery).toMatchObject({ id: deliveryId, postId, status: 'published', platform: 'x' });
    expect(completed.data.post).toMatchObject({ id: postId, status: 'published' });
    expect(new Set(events(got).map((e) => e.id)).size).toBe(2);

    const entries = await log(creator.key, hook.id);
    expect(entries.map((e) => [e.type, e.status, e.statusCodes])).toEqual(expect.arrayContaining([
      ['delivery.published', 'delivered', [200]], ['post.completed', 'delivered', [200]],
    ]));
  });

  it('shows the secret once and stores it encrypted', async () => {
    const hook = await register(creator.key, '/secret');
    const listed = await h.api!.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(creator.key) });
    expect(listed.body).not.toContain(hook.secret);
    expect(listed.json().data.map((w: { id: string }) => w.id)).toContain(hook.id);
    const one = await h.api!.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}`, headers: bearer(creator.key) });
    expect(one.json()).not.toHaveProperty('secret');
    const raw = await h.store.redis.hgetall(h.store.k.webhook(hook.id));
    expect(JSON.stringify(raw)).not.toContain(hook.secret.slice(6));
    expect(raw.secret).toMatch(/^v2\./);
  });

  it('retries a receiver that fails, times out, then recovers; the log shows each attempt', async () => {
    const hook = await register(creator.key, '/flaky');
    rx.script('/flaky', [500, 'hang', 503]);
    const sent = await h.api!.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, headers: bearer(creator.key) });
    expect(sent.statusCode, sent.body).toBe(202);
    const got = await rx.waitFor('/flaky', (r) => r.length >= 4);
    expect(new Set(got.map((r) => JSON.parse(r.body).id))).toEqual(new Set([sent.json().eventId]));
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    for (const r of got) expect(verify(hook.secret, r.body, String(r.headers['herald-signature']))).toBe(true);
    const waitDelivered = async () => {
      for (;;) {
        const [entry] = await log(creator.key, hook.id);
        if (entry?.status === 'delivered') return entry;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const entry = await waitDelivered();
    expect(entry).toMatchObject({ eventId: sent.json().eventId, type: 'webhook.test', attempts: 4, statusCodes: [500, null, 503, 200], nextAttemptAt: null });
    const after = (await h.api!.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}`, headers: bearer(creator.key) })).json();
    expect(after).toMatchObject({ status: 'active', failingSince: null });
    expect(after.lastSuccessAt).not.toBeNull();
  });

  it('disables a webhook after a day without a 2xx, visibly and audited', async () => {
    const hook = await register(creator.key, '/down');
    rx.always('/down', 500);
    const sent = await h.api!.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, headers: bearer(creator.key) });
    await rx.waitFor('/down', (r) => r.length >= 2);
    const failing = (await h.api!.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}`, headers: bearer(creator.key) })).json();
    expect(failing).toMatchObject({ status: 'active' });
    expect(failing.failingSince).not.toBeNull();
    clockOffset = 25 * 3600_000;
    try {
      const deadline = Date.now() + 15_000;
      let view = failing;
      while (view.status !== 'disabled' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        view = (await h.api!.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}`, headers: bearer(creator.key) })).json();
      }
      expect(view.status).toBe('disabled');
      expect(view.disabledReason).toMatch(/no 2xx answer since .* \(last: 500\)/);
      const [entry] = await log(creator.key, hook.id);
      expect(entry).toMatchObject({ eventId: sent.json().eventId, status: 'failed', nextAttemptAt: null });
      const audit = await h.api!.inject({ method: 'GET', url: `/v1/admin/audit?action=webhook.disabled`, headers: bearer(ADMIN_KEY) });
      expect(audit.json().data.map((e: { target: string }) => e.target)).toContain(hook.id);
      const test = await h.api!.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, headers: bearer(creator.key) });
      expect(test.statusCode).toBe(409);
    } finally {
      clockOffset = 0;
    }
  });

  it('sends account.reauth_required when an account needs reconnecting', async () => {
    const hook = await register(creator.key, '/reauth', ['account.reauth_required']);
    const demo = sim.createDemoAccount();
    const acc = (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId: demo.externalId, credentials: demo.credentials } })).json();
    expect(await h.store.accounts.markReauth(acc.id, 'refresh token revoked')).toBe(true);
    expect(await h.store.accounts.markReauth(acc.id, 'refresh token revoked')).toBe(false);
    const got = await rx.waitFor('/reauth', (r) => r.length >= 1);
    expect(events(got)[0]).toMatchObject({ type: 'account.reauth_required', data: { account: { id: acc.id, platform: 'x', reason: 'refresh token revoked' } } });
    expect(verify(hook.secret, got[0]!.body, String(got[0]!.headers['herald-signature']))).toBe(true);
    await h.relayNow();
    expect(rx.received('/reauth')).toHaveLength(1);
  });

  it('keeps creators apart: 404 on another creator\'s webhook, and no events from another creator', async () => {
    const other = await h.creator('other');
    const mine = await register(creator.key, '/mine', ['delivery.published']);
    const theirs = await register(other.key, '/theirs', ['delivery.published']);
    for (const [method, url] of [['GET', `/v1/webhooks/${mine.id}`], ['DELETE', `/v1/webhooks/${mine.id}`], ['GET', `/v1/webhooks/${mine.id}/deliveries`], ['POST', `/v1/webhooks/${mine.id}/test`]] as const) {
      const res = await h.api!.inject({ method, url, headers: bearer(other.key) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const list = (await h.api!.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(other.key) })).json();
    expect(list.data.map((w: { id: string }) => w.id)).toEqual([theirs.id]);

    const { deliveryId } = await publishToX(creator.key, 'only for my webhook');
    await rx.waitFor('/mine', (r) => events(r).some((e) => e.data.delivery?.id === deliveryId));
    await h.relayNow();
    expect(rx.received('/theirs')).toHaveLength(0);
  });

  it('deletes a webhook: it receives nothing more', async () => {
    const hook = await register(creator.key, '/deleted', ['delivery.published']);
    const del = await h.api!.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: bearer(creator.key) });
    expect(del.statusCode).toBe(204);
    expect((await h.api!.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}`, headers: bearer(creator.key) })).statusCode).toBe(404);
    const { deliveryId } = await publishToX(creator.key, 'after the delete');
    await h.waitFor(deliveryId, (d) => d.status === 'published');
    await h.relayNow();
    expect(rx.received('/deleted')).toHaveLength(0);
  });

  it('validates the body', async () => {
    const res = await h.api!.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(creator.key), payload: { url: rx.url('/x'), events: ['delivery.exploded'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
  });
});

describe('webhook SSRF rules (as for media)', () => {
  let strict: TestHerald;
  beforeAll(async () => {
    strict = await startTestHerald({ env: { HERALD_ALLOW_PRIVATE_URLS: 'false' } });
  });
  afterAll(async () => strict?.stop());

  it('refuses plain http, private, loopback, link-local and local-name URLs at registration', async () => {
    const c = await strict.creator('ssrf');
    for (const url of ['http://example.com/hook', 'https://127.0.0.1/hook', 'https://10.1.2.3/hook', 'https://169.254.169.254/latest', 'https://[::1]/hook', 'https://localhost/hook', 'https://user:pw@example.com/hook']) {
      const res = await strict.api!.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(c.key), payload: { url, events: ['delivery.published'] } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ field: 'body.url', code: 'url_not_allowed' });
    }
    const ok = await strict.api!.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(c.key), payload: { url: 'https://hooks.example.com/herald', events: ['delivery.published'] } });
    expect(ok.statusCode).toBe(201);
  });

  it('refuses at send time a host name that resolves to a private address', async () => {
    // This machine's own name resolves to a loopback or private address (/etc/hosts, a container bridge).
    const res = await sendEvent(`https://${hostname()}:9/hook`, '{}', {}, { allowPrivate: false, timeoutMs: 2_000 });
    expect(res).toMatchObject({ ok: false, status: null });
    expect(!res.ok && res.error).toMatch(/private or local address/);
  });
});

describe('webhook events survive a missing or dead worker', () => {
  it('an event written while no worker runs is sent once a worker starts', async () => {
    const prefix = `t${Math.random().toString(36).slice(2, 10)}`;
    const apiOnly = await startTestHerald({ env: { REDIS_PREFIX: prefix } });
    const receiver = await startReceiver();
    let worker: TestHerald | undefined;
    try {
      const c = await apiOnly.creator('outbox');
      const hook = (await apiOnly.api!.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(c.key), payload: { url: receiver.url('/late'), events: ['account.reauth_required'] } })).json();
      const acc = (await apiOnly.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(c.key), payload: { platform: 'x', externalId: '12345', credentials: { accessToken: 'tok' } } })).json();
      await apiOnly.store.accounts.markReauth(acc.id, 'revoked');
      // The event is durable with the change itself, before any relay or queue saw it.
      expect(await apiOnly.store.redis.llen(apiOnly.store.k.eventOutbox)).toBe(1);
      expect(receiver.received('/late')).toHaveLength(0);
      worker = await startTestHerald({ api: false, worker: true, env: { REDIS_PREFIX: prefix } });
      const got = await receiver.waitFor('/late', (r) => r.length >= 1);
      expect(JSON.parse(got[0]!.body)).toMatchObject({ type: 'account.reauth_required', data: { account: { id: acc.id } } });
      expect(verify(hook.secret, got[0]!.body, String(got[0]!.headers['herald-signature']))).toBe(true);
      expect(await apiOnly.store.redis.llen(apiOnly.store.k.eventOutbox)).toBe(0);
    } finally {
      await worker?.stop();
      await apiOnly.stop();
      await receiver.close();
    }
  });
});
