/**
 * Idempotency-Key under failure (issue 7 items 2 and 3): a key is kept whenever its post may
 * exist, and a request that stalled past the takeover can no longer store deliveries of its
 * own under the post id. Real redis-server, API through inject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import type { Delivery } from '../../src/domain/delivery.ts';
import { fingerprint } from '../../src/domain/posts-service.ts';
import { newId } from '../../src/store/ids.ts';
import type { Post } from '../../src/store/posts.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let sim: XSimulator;

beforeAll(async () => {
  sim = createXSimulator();
  await sim.server.start();
  h = await startTestHerald({ platformUrls: { x: sim.server.origin() } });
});
afterAll(async () => {
  await h?.stop();
  await sim?.server.stop();
});

async function creatorWithAccount(name: string) {
  const c = await h.creator(name);
  const demo = sim.createDemoAccount();
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(c.key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  expect(res.statusCode, res.body).toBe(201);
  return { ...c, accountId: res.json().id as string };
}

const post = (key: string, payload: unknown, idempotencyKey: string) =>
  h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { ...bearer(key), 'idempotency-key': idempotencyKey }, payload: payload as Record<string, unknown> });

const postIdsOf = async (creatorId: string) => (await h.store.posts.page(creatorId, undefined, 50)).ids;

describe('Idempotency-Key', () => {
  it('a Redis error after the post is durable keeps the key: the retry gets the same post, not a second one (item 2)', async () => {
    const c = await creatorWithAccount('lost-complete');
    const body = { text: 'stored, then the key write failed', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: c.accountId }] };
    const complete = h.store.idempotency.complete.bind(h.store.idempotency);
    // The post is stored; recording the key as done fails (a Redis error at that moment).
    h.store.idempotency.complete = async () => {
      throw new Error('Connection is closed.');
    };
    let first;
    try {
      first = await post(c.key, body, 'k-lost');
    } finally {
      h.store.idempotency.complete = complete;
    }
    expect(first.statusCode).toBe(500);
    const stored = await postIdsOf(c.id);
    expect(stored).toHaveLength(1);

    const retry = await post(c.key, body, 'k-lost');
    expect(retry.statusCode, retry.body).toBe(202);
    expect(retry.json().id).toBe(stored[0]);
    expect(await postIdsOf(c.id)).toEqual(stored);
  });

  it('a stalled request resumed after the takeover stores nothing of its own (item 3)', async () => {
    const c = await creatorWithAccount('stalled');
    const body = { text: 'taken over', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: c.accountId }] };
    const postId = newId('pst');
    // Request A claimed the key and stalled past the takeover age.
    await h.store.idempotency.begin(c.id, 'k-stall', fingerprint(body), postId, 'request-a');
    for (const k of await h.store.redis.keys(`${h.config.redisPrefix}:idem:${c.id}:*`)) {
      const rec = JSON.parse((await h.store.redis.get(k))!);
      await h.store.redis.set(k, JSON.stringify({ ...rec, at: Date.now() - 120_000 }), 'KEEPTTL');
    }
    // Request B (the client's retry) takes the key over and stores the post.
    const taken = await post(c.key, body, 'k-stall');
    expect(taken.statusCode, taken.body).toBe(202);
    expect(taken.json().id).toBe(postId);
    const winner = taken.json().deliveries.map((d: { id: string }) => d.id);

    // A wakes up and stores its own post and deliveries under the same post id.
    const now = new Date().toISOString();
    const late: Delivery = {
      v: 0, id: newId('dlv'), postId, creatorId: c.id, accountId: c.accountId, platform: 'x', status: 'scheduled',
      attempts: 0, scheduledAt: body.scheduledAt, createdAt: now, updatedAt: now, history: [],
    };
    const latePost: Post = {
      v: 0, id: postId, creatorId: c.id, text: body.text, media: [], targets: [{ accountId: c.accountId, deliveryId: late.id }],
      scheduledAt: body.scheduledAt, createdAt: now, updatedAt: now,
    };
    expect(await h.store.posts.create(latePost, [late])).toBe(false);
    expect(await h.store.deliveries.get(late.id)).toBeUndefined();
    expect((await h.store.posts.get(postId))!.targets.map((t) => t.deliveryId)).toEqual(winner);
    // Nor can A's failure path forget the key B holds now.
    await h.store.idempotency.abandon(c.id, 'k-stall', 'request-a');
    const again = await post(c.key, body, 'k-stall');
    expect(again.json().id).toBe(postId);
    expect(await postIdsOf(c.id)).toEqual([postId]);
  });
});
