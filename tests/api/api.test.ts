import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let sim: ReturnType<typeof createXSimulator>;
let alice: { id: string; key: string };
let bob: { id: string; key: string };
let aliceX: string;
let aliceLi: string;
let bobX: string;

async function connect(key: string, platform: 'x' | 'linkedin', externalId: string) {
  const res = await h.api!.inject({
    method: 'POST', url: '/v1/accounts', headers: bearer(key),
    payload: { platform, externalId, handle: `h${externalId.slice(-6)}`, credentials: { accessToken: 'tok', refreshToken: 'rt', expiresAt: new Date(Date.now() + 3600_000).toISOString() } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

beforeAll(async () => {
  sim = createXSimulator();
  const origin = await sim.server.start();
  h = await startTestHerald({ platformUrls: { x: origin } });
  alice = await h.creator('alice');
  bob = await h.creator('bob');
  aliceX = await connect(alice.key, 'x', '1001');
  aliceLi = await connect(alice.key, 'linkedin', 'urn:li:person:alice1');
  bobX = await connect(bob.key, 'x', '2002');
});
afterAll(async () => {
  await h?.stop();
  await sim?.server.stop();
});

const post = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
  h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { ...bearer(key), ...headers }, payload: payload as Record<string, unknown> });

describe('auth and envelope', () => {
  it('401 without a key, in the error envelope, with x-request-id', async () => {
    const res = await h.api!.inject({ method: 'GET', url: '/v1/posts' });
    expect(res.statusCode).toBe(401);
    const body = res.json();
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('echoes a client-sent x-request-id', async () => {
    const res = await h.api!.inject({ method: 'GET', url: '/v1/posts', headers: { ...bearer(alice.key), 'x-request-id': 'trace-abc-123' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
  });

  it('401 for an unknown key; 403 for a creator on admin routes and the admin on creator routes', async () => {
    expect((await h.api!.inject({ method: 'GET', url: '/v1/posts', headers: bearer('hk_not_a_real_key_at_all') })).statusCode).toBe(401);
    const a = await h.api!.inject({ method: 'GET', url: '/v1/admin/deliveries', headers: bearer(alice.key) });
    expect(a.statusCode).toBe(403);
    expect(a.json().error.code).toBe('admin_only');
    const b = await h.api!.inject({ method: 'GET', url: '/v1/posts', headers: bearer(ADMIN_KEY) });
    expect(b.json().error.code).toBe('creator_only');
  });

  it('admin creates a creator whose key works once stored hashed', async () => {
    const res = await h.api!.inject({ method: 'POST', url: '/v1/admin/creators', headers: bearer(ADMIN_KEY), payload: { name: 'carol' } });
    expect(res.statusCode).toBe(201);
    const { apiKey, id } = res.json();
    expect((await h.api!.inject({ method: 'GET', url: '/v1/accounts', headers: bearer(apiKey) })).statusCode).toBe(200);
    const stored = await h.store.redis.keys(`${h.config.redisPrefix}:apikey:*`);
    expect(stored.some((k) => k.includes(apiKey))).toBe(false);
    expect(await h.store.creators.get(id)).toBeDefined();
  });

  it('unknown routes get the envelope too', async () => {
    const res = await h.api!.inject({ method: 'GET', url: '/v1/nope', headers: bearer(alice.key) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('accounts', () => {
  it('never returns credentials and stores them encrypted', async () => {
    const res = await h.api!.inject({ method: 'GET', url: `/v1/accounts/${aliceX}`, headers: bearer(alice.key) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('tok');
    const raw = await h.store.redis.hget(h.store.k.account(aliceX), 'cred');
    expect(raw).toMatch(/^v2\./);
    expect(raw).not.toContain('tok');
  });

  it('tenant isolation: another creator gets 404, not 403', async () => {
    expect((await h.api!.inject({ method: 'GET', url: `/v1/accounts/${aliceX}`, headers: bearer(bob.key) })).statusCode).toBe(404);
    expect((await h.api!.inject({ method: 'DELETE', url: `/v1/accounts/${aliceX}`, headers: bearer(bob.key) })).statusCode).toBe(404);
    const res = await post(bob.key, { text: 'sneaky', targets: [{ accountId: aliceX }] });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0].code).toBe('account_not_found');
  });

  it('rejects a platform with no adapter and bad bodies', async () => {
    const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(alice.key), payload: { platform: 'myspace', externalId: '1', credentials: { accessToken: 'x' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('body.platform');
  });
});

describe('posts', () => {
  it('accepts with 202 and one delivery per target, then tenant isolation on read', async () => {
    const res = await post(alice.key, { text: 'hello api', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: aliceX }, { accountId: aliceLi }] });
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body.status).toBe('scheduled');
    expect(body.deliveries.map((d: { platform: string }) => d.platform).sort()).toEqual(['linkedin', 'x']);
    expect((await h.api!.inject({ method: 'GET', url: `/v1/posts/${body.id}`, headers: bearer(alice.key) })).statusCode).toBe(200);
    expect((await h.api!.inject({ method: 'GET', url: `/v1/posts/${body.id}`, headers: bearer(bob.key) })).statusCode).toBe(404);
    expect((await h.api!.inject({ method: 'DELETE', url: `/v1/posts/${body.id}`, headers: bearer(bob.key) })).statusCode).toBe(404);
  });

  it('validation is all-or-nothing across targets and names target, platform, field and code', async () => {
    const before = await h.store.redis.zcard(h.store.k.creatorPosts(alice.id));
    const long = 'x'.repeat(281);
    const res = await post(alice.key, { text: long, targets: [{ accountId: aliceLi }, { accountId: aliceX }] });
    expect(res.statusCode).toBe(422);
    const issue = res.json().error.details[0];
    expect(issue).toMatchObject({ target: 1, platform: 'x', field: 'text', code: 'text_too_long' });
    expect(await h.store.redis.zcard(h.store.k.creatorPosts(alice.id))).toBe(before);
  });

  it('validate is a dry run with the same rules', async () => {
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts/validate', headers: bearer(alice.key), payload: { text: '字'.repeat(141), targets: [{ accountId: aliceX }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().valid).toBe(false);
    // Counted once: one issue, not the generic one and X's own again.
    expect(res.json().issues.map((i: { code: string }) => i.code)).toEqual(['text_too_long']);
    const ok = await h.api!.inject({ method: 'POST', url: '/v1/posts/validate', headers: bearer(alice.key), payload: { text: '字'.repeat(140), targets: [{ accountId: aliceX }] } });
    expect(ok.json()).toEqual({ valid: true, issues: [] });
  });

  it("a platform's own option messages (from its options schema) reach the 422 details", async () => {
    const res = await h.api!.inject({
      method: 'POST', url: '/v1/accounts', headers: bearer(alice.key),
      payload: { platform: 'youtube', externalId: 'UCoptionsmessage', credentials: { accessToken: 'tok', refreshToken: 'rt' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const bad = await post(alice.key, { text: 'a video', media: [{ url: 'https://media.example/v.mp4' }], targets: [{ accountId: res.json().id, options: {} }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details).toContainEqual(expect.objectContaining({
      platform: 'youtube', field: 'targets.0.options.title', code: 'invalid_option', message: 'YouTube needs a video title (options.title).',
    }));
  });

  it('idempotency: same key + body replays, different body is 409', async () => {
    const body = { text: 'idem', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: aliceX }] };
    const a = await post(alice.key, body, { 'idempotency-key': 'k-1' });
    const b = await post(alice.key, body, { 'idempotency-key': 'k-1' });
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(b.json().id).toBe(a.json().id);
    const c = await post(alice.key, { ...body, text: 'other' }, { 'idempotency-key': 'k-1' });
    expect(c.statusCode).toBe(409);
    expect(c.json().error.code).toBe('idempotency_mismatch');
    // Keys are per creator.
    const d = await post(bob.key, { ...body, targets: [{ accountId: bobX }] }, { 'idempotency-key': 'k-1' });
    expect(d.statusCode).toBe(202);
    // A rejected request does not burn the key.
    expect((await post(alice.key, { text: 'x'.repeat(300), targets: [{ accountId: aliceX }] }, { 'idempotency-key': 'k-2' })).statusCode).toBe(422);
    expect((await post(alice.key, { text: 'fixed', scheduledAt: body.scheduledAt, targets: [{ accountId: aliceX }] }, { 'idempotency-key': 'k-2' })).statusCode).toBe(202);
  });

  it('idempotency: a request that died mid-way is finished by the retry, never duplicated', async () => {
    const body = { text: 'died midway', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: aliceX }] };
    const { fingerprint } = await import('../../src/domain/posts-service.ts');
    // A request claimed the key and died before storing anything.
    await h.store.idempotency.begin(alice.id, 'k-dead', fingerprint(body), 'pst_0000000000000000a', 'dead-request');
    const busy = await post(alice.key, body, { 'idempotency-key': 'k-dead' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.code).toBe('idempotency_in_progress');
    // Long after any request could still be running, the retry takes over with the same post id.
    const all = await h.store.redis.keys(`${h.config.redisPrefix}:idem:${alice.id}:*`);
    for (const k of all) {
      const rec = JSON.parse((await h.store.redis.get(k))!);
      if (rec.postId === 'pst_0000000000000000a') await h.store.redis.set(k, JSON.stringify({ ...rec, at: Date.now() - 120_000 }), 'KEEPTTL');
    }
    const taken = await post(alice.key, body, { 'idempotency-key': 'k-dead' });
    expect(taken.statusCode, taken.body).toBe(202);
    expect(taken.json().id).toBe('pst_0000000000000000a');
    const again = await post(alice.key, body, { 'idempotency-key': 'k-dead' });
    expect(again.json().id).toBe('pst_0000000000000000a');
  });

  it('paginates with a cursor without gaps or repeats, and filters', async () => {
    const c = await h.creator('pager');
    const acc = await connect(c.key, 'x', '3003');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await post(c.key, { text: `page ${i}`, scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: acc }] });
      ids.push(r.json().id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/v1/posts?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await h.api!.inject({ method: 'GET', url: q, headers: bearer(c.key) });
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().data.map((p: { id: string }) => p.id));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const filtered = await h.api!.inject({ method: 'GET', url: '/v1/posts?platform=linkedin', headers: bearer(c.key) });
    expect(filtered.json().data).toEqual([]);
    const bad = await h.api!.inject({ method: 'GET', url: '/v1/posts?cursor=garbage', headers: bearer(c.key) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('querystring.cursor');
  });

  it('malformed, oversized and wrongly typed bodies are rejected cleanly', async () => {
    const bad = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { ...bearer(alice.key), 'content-type': 'application/json' }, payload: '{"text": "oops",' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_json');
    const huge = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { ...bearer(alice.key), 'content-type': 'application/json' }, payload: JSON.stringify({ text: 'a'.repeat(2 * 1024 * 1024), targets: [] }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('payload_too_large');
    const form = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { ...bearer(alice.key), 'content-type': 'text/plain' }, payload: 'hi' });
    expect(form.statusCode).toBe(415);
    const extra = await post(alice.key, { text: 'x', targets: [{ accountId: aliceX }], surprise: true });
    expect(extra.statusCode).toBe(422);
    expect(extra.json().error.code).toBe('validation_failed');
    const past = await post(alice.key, { text: 'x', scheduledAt: '2020-01-01T00:00:00Z', targets: [{ accountId: aliceX }] });
    expect(past.statusCode).toBe(422);
    expect(past.json().error.details[0].code).toBe('scheduled_in_past');
    const noOffset = await post(alice.key, { text: 'x', scheduledAt: '2030-01-01T00:00:00', targets: [{ accountId: aliceX }] });
    expect(noOffset.statusCode).toBe(422);
    expect(noOffset.json().error.details[0].field).toBe('scheduledAt');
  });

  it('refuses media URLs on private addresses when private URLs are not allowed', async () => {
    const strict = await startTestHerald({ env: { HERALD_ALLOW_PRIVATE_URLS: 'false' } });
    try {
      const c = await strict.creator();
      const res = await strict.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(c.key), payload: { platform: 'x', externalId: '9', credentials: { accessToken: 't' } } });
      const acc = res.json().id;
      for (const url of ['http://example.com/a.png', 'https://127.0.0.1/a.png', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/a.png', 'https://10.0.0.8/x.png']) {
        const r = await strict.api!.inject({ method: 'POST', url: '/v1/posts/validate', headers: bearer(c.key), payload: { text: 'x', media: [{ url }], targets: [{ accountId: acc }] } });
        expect(r.json().issues.map((i: { code: string }) => i.code), url).toContain('media_url_not_allowed');
      }
    } finally {
      await strict.stop();
    }
  });
});

describe('admin views', () => {
  it('lists scheduled deliveries (from the due index) and counts every status', async () => {
    const res = await post(alice.key, { text: 'admin sees me', scheduledAt: new Date(Date.now() + 7200_000).toISOString(), targets: [{ accountId: aliceX }] });
    const id = res.json().deliveries[0].id;
    const list = (await h.api!.inject({ method: 'GET', url: '/v1/admin/deliveries?status=scheduled&limit=100', headers: bearer(ADMIN_KEY) })).json();
    expect(list.data.map((d: { id: string }) => d.id)).toContain(id);
    expect(list.data.every((d: { status: string }) => d.status === 'scheduled')).toBe(true);
    const all = (await h.api!.inject({ method: 'GET', url: '/v1/admin/deliveries?platform=x&limit=100', headers: bearer(ADMIN_KEY) })).json();
    expect(all.data[0].id).toBe(id);
    const queues = (await h.api!.inject({ method: 'GET', url: '/v1/admin/queues', headers: bearer(ADMIN_KEY) })).json();
    expect(queues.deliveries.scheduled).toBe(await h.store.redis.zcount(h.store.k.due, '-inf', '+inf'));
    // A canceled post moves its count.
    await h.api!.inject({ method: 'DELETE', url: `/v1/posts/${res.json().id}`, headers: bearer(alice.key) });
    const after = (await h.api!.inject({ method: 'GET', url: '/v1/admin/queues', headers: bearer(ADMIN_KEY) })).json();
    expect(after.deliveries.scheduled).toBe(queues.deliveries.scheduled - 1);
    expect(after.deliveries.canceled).toBe(queues.deliveries.canceled + 1);
  });
});

describe('ops', () => {
  it('healthz, readyz, openapi and docs', async () => {
    expect((await h.api!.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await h.api!.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const doc = (await h.api!.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/posts', '/v1/posts/{id}', '/v1/admin/deliveries', '/v1/accounts']));
    expect(doc['x-error-codes'].validation_failed.status).toBe(422);
    // Delivery error codes are listed like the API's: Herald's own and each platform's table.
    const delivery = doc['x-delivery-error-codes'];
    expect(delivery.delivery.progress_unreadable).toMatchObject({ kind: 'unknown' });
    expect(delivery.x['x.duplicate_content']).toMatchObject({ kind: 'rejected', meaning: expect.any(String) });
    expect(delivery.linkedin['linkedin.server_error'].kind).toEqual(['transient', 'unknown']);
    expect(Object.keys(delivery.youtube)).toContain('youtube.quota_exceeded');
    const docs = await h.api!.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
