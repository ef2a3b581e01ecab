/**
 * Far-future deliveries hold no queue job (only Herald's due index); the promoter creates
 * the job shortly before they are due, and they publish on time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import { promote } from '../../src/queue/promoter.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let sim: XSimulator;

beforeAll(async () => {
  sim = createXSimulator();
  h = await startTestHerald({ worker: true, platformUrls: { x: await sim.server.start() }, env: { SCHEDULE_LOOKAHEAD_MS: '5000' } });
});
afterAll(async () => {
  await h?.stop();
  await sim?.server.stop();
});

it('creates the job within the lookahead and publishes on time; never two jobs', { timeout: 40_000 }, async () => {
  const { key } = await h.creator();
  const demo = sim.createDemoAccount();
  const acc = (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } })).json().id;
  const at = new Date(Date.now() + 14_000);
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(key), payload: { text: 'promoted later', scheduledAt: at.toISOString(), targets: [{ accountId: acc }] } });
  const id = res.json().deliveries[0].id;
  const far = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(key), payload: { text: 'far away', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: acc }] } });
  const farId = far.json().deliveries[0].id;
  // Beyond twice the lookahead at accept time: no job yet, only the due index.
  expect(await h.queues.queue('x').getJob(id)).toBeUndefined();
  expect(await h.store.redis.zscore(h.store.k.due, id)).toBe(String(at.getTime()));
  // Promoting is idempotent, whoever runs it and however often.
  await Promise.all([promote(h.store, h.queues, at.getTime() - 4_000), promote(h.store, h.queues, at.getTime() - 4_000)]);
  const job = await h.queues.queue('x').getJob(id);
  expect(job).toBeDefined();
  expect(job!.timestamp + job!.delay).toBeGreaterThanOrEqual(at.getTime() - 50);
  const d = await h.waitFor(id, (x) => x.status === 'published', 25_000);
  expect(Date.parse(d.publishedAt!)).toBeGreaterThanOrEqual(at.getTime());
  expect(sim.state.tweets.filter((t) => t.text === 'promoted later')).toHaveLength(1);
  expect(await h.queues.queue('x').getJob(farId)).toBeUndefined();
  const counts = await h.queues.queue('x').getJobCounts('delayed', 'waiting', 'active');
  expect((counts.delayed ?? 0) + (counts.waiting ?? 0) + (counts.active ?? 0)).toBe(0);
});
