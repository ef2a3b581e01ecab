/**
 * Never twice, never stuck (issue 7): claims fence every write of a run, forced retries
 * still ask the platform, edits racing a run are honoured, partly published deliveries stay
 * put, armed writes that cannot be checked reach an admin, and a lookup that proves the
 * write absent sends the delivery back to the ordinary retry path. API → Redis → BullMQ →
 * worker → X adapter → X simulator, on a real redis-server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import type { Post } from '../../src/store/posts.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let sim: XSimulator;
let creator: { id: string; key: string };

const unavailable = { type: 'status' as const, status: 503, body: { title: 'Service Unavailable', status: 503, type: 'about:blank', detail: 'down' } };

beforeAll(async () => {
  // No duplicate window: a second identical tweet would be created, so a double publish shows.
  sim = createXSimulator({ duplicateWindowMs: 0 });
  const origin = await sim.server.start();
  h = await startTestHerald({ worker: true, platformUrls: { x: origin }, env: { PLATFORM_TIMEOUT_MS: '1500', WORKER_CONCURRENCY: '10' } });
  creator = await h.creator('safety');
});
afterAll(async () => {
  await h?.stop();
  await sim?.server.stop();
});
afterEach(() => sim.server.clearFaults());

async function xAccount() {
  const demo = sim.createDemoAccount();
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function schedule(accountId: string, text: string, opts: { scheduledAt?: Date; options?: Record<string, unknown> } = {}) {
  const res = await h.api!.inject({
    method: 'POST', url: '/v1/posts', headers: bearer(creator.key),
    payload: { text, targets: [{ accountId, ...(opts.options ? { options: opts.options } : {}) }], ...(opts.scheduledAt ? { scheduledAt: opts.scheduledAt.toISOString() } : {}) },
  });
  expect(res.statusCode, res.body).toBe(202);
  return { postId: res.json().id as string, deliveryId: res.json().deliveries[0].id as string };
}

async function until(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A delivery whose run died after arming its write (scheduled far ahead, so no job runs it meanwhile). */
async function armedByDeadRun(accountId: string, text: string) {
  const s = await schedule(accountId, text, { scheduledAt: new Date(Date.now() + 3600_000) });
  await h.queues.remove(s.deliveryId, 'x');
  await h.store.deliveries.update(s.deliveryId, (x, now) => {
    x.status = 'publishing';
    x.scheduledAt = now.toISOString();
    x.claim = { token: 'dead-run', at: now.toISOString() };
    x.armed = { label: 'tweet:0', token: 'dead-run', at: now.toISOString() };
    return x;
  });
  return s;
}

const tweetsWith = (text: string) => sim.state.tweets.filter((t) => t.text === text);

describe('delivery safety', () => {
  it('a run that lost its claim cannot erase the armed write of the run that holds it (item 4)', async () => {
    const acc = await xAccount();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'delay', ms: 1_000 } });
    const writes = sim.server.callsTo('POST', '/2/tweets').length;
    const { deliveryId } = await schedule(acc, 'claim lost mid-write');
    await until(async () => (await h.store.deliveries.get(deliveryId))?.armed !== undefined, 'the write to be armed');
    // Another run takes the delivery over (the job stalled) and arms its own write.
    await h.store.deliveries.update(deliveryId, (x, now) => {
      x.claim = { token: 'other-run', at: now.toISOString() };
      x.armed = { label: 'tweet:0', token: 'other-run', at: now.toISOString() };
      return x;
    });
    await until(() => sim.server.callsTo('POST', '/2/tweets').length > writes && tweetsWith('claim lost mid-write').length === 1, 'the delayed write to land');
    await until(async () => (await h.queues.queue('x').getJob(deliveryId)) === undefined, 'the first run to end');
    const d = (await h.store.deliveries.get(deliveryId))!;
    expect(d.armed?.token).toBe('other-run');
    expect(d.claim?.token).toBe('other-run');
    expect(d.status).toBe('publishing');
  });

  it('a forced retry of an unknown delivery asks the platform first and settles ambiguous (item 5)', async () => {
    const acc = await xAccount();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'hang_after_commit' } });
    const { deliveryId } = await schedule(acc, 'forced after a lost answer');
    const unknown = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(unknown.ambiguous).toBe(true);
    const res = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${deliveryId}/retry`, headers: bearer(ADMIN_KEY), payload: { reason: 'try again', force: true } });
    expect(res.statusCode, res.body).toBe(200);
    const d = await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(tweetsWith('forced after a lost answer')).toHaveLength(1);
    expect(d.platformPostId).toBe(tweetsWith('forced after a lost answer')[0]!.id);
    expect(d.ambiguous).toBeUndefined();
    expect(d.history.map((e) => e.event)).toEqual(expect.arrayContaining(['retry_requested', 'reconcile_started', 'published']));
  });

  it('an edit between a run\'s first read and its claim is honoured (item 6)', async () => {
    const acc = await xAccount();
    const { postId, deliveryId } = await schedule(acc, 'the old text', { scheduledAt: new Date(Date.now() + 1_000) });
    let newTime = 0;
    let patchStatus = 0;
    const get = h.store.posts.get.bind(h.store.posts);
    // The edit lands while the run holds the post it read first (before its claim).
    h.store.posts.get = async (id: string): Promise<Post | undefined> => {
      const p = await get(id);
      if (id !== postId || newTime) return p;
      newTime = Date.now() + 2_000;
      const res = await h.api!.inject({ method: 'PATCH', url: `/v1/posts/${postId}`, headers: bearer(creator.key), payload: { text: 'the new text', scheduledAt: new Date(newTime).toISOString() } });
      patchStatus = res.statusCode;
      return p;
    };
    try {
      const d = await h.waitFor(deliveryId, (x) => x.status === 'published');
      expect(patchStatus).toBe(200);
      expect(tweetsWith('the old text')).toHaveLength(0);
      expect(tweetsWith('the new text')).toHaveLength(1);
      expect(Date.parse(d.publishedAt!)).toBeGreaterThanOrEqual(newTime);
    } finally {
      h.store.posts.get = get;
    }
  });

  it('a thread with item 0 live cannot be edited or canceled once it is queued again (item 7)', async () => {
    const acc = await xAccount();
    // The first post goes through; the reply is refused.
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'delay', ms: 1 } });
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'status', status: 400, body: { title: 'Invalid Request', status: 400, type: 'about:blank', detail: 'bad reply' } } });
    const { postId, deliveryId } = await schedule(acc, 'thread head', { options: { thread: [{ text: 'thread reply' }] } });
    await h.waitFor(deliveryId, (x) => x.status === 'failed');
    expect(tweetsWith('thread head')).toHaveLength(1);
    await h.api!.inject({ method: 'POST', url: '/v1/admin/platforms/x/pause', headers: bearer(ADMIN_KEY), payload: { reason: 'hold the retry' } });
    try {
      const retry = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${deliveryId}/retry`, headers: bearer(ADMIN_KEY), payload: { reason: 'fixed', force: true } });
      expect(retry.statusCode, retry.body).toBe(200);
      expect((await h.store.deliveries.get(deliveryId))!.status).toBe('queued');
      const patch = await h.api!.inject({ method: 'PATCH', url: `/v1/posts/${postId}`, headers: bearer(creator.key), payload: { text: 'rewritten head' } });
      expect(patch.statusCode, patch.body).toBe(409);
      const cancel = await h.api!.inject({ method: 'DELETE', url: `/v1/posts/${postId}`, headers: bearer(creator.key) });
      expect(cancel.statusCode, cancel.body).toBe(409);
      expect((await h.store.deliveries.get(deliveryId))!.status).toBe('queued');
    } finally {
      await h.api!.inject({ method: 'POST', url: '/v1/admin/platforms/x/resume', headers: bearer(ADMIN_KEY), payload: {} });
    }
    await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(tweetsWith('thread head')).toHaveLength(1);
    expect(tweetsWith('thread reply')).toHaveLength(1);
  });

  it('an armed write whose account was deleted reaches unknown, and an admin resolves it (item 8)', async () => {
    const acc = await xAccount();
    const { deliveryId } = await armedByDeadRun(acc, 'armed, then the account went away');
    const del = await h.api!.inject({ method: 'DELETE', url: `/v1/accounts/${acc}`, headers: bearer(creator.key) });
    expect(del.statusCode).toBe(204);
    await h.queues.enqueue(deliveryId, 'x', Date.now());
    const d = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(d.error).toMatchObject({ code: 'account_deleted', retryable: false });
    expect(d.error!.message).toContain('tweet:0');
    const res = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${deliveryId}/resolve`, headers: bearer(ADMIN_KEY), payload: { outcome: 'not_published', reason: 'checked the profile' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('failed');
  });

  it('an armed write whose account needs reauth reaches unknown with auth_expired (item 8)', async () => {
    const acc = await xAccount();
    const { deliveryId } = await armedByDeadRun(acc, 'armed, then the account needed reauth');
    const account = (await h.store.accounts.get(acc))!;
    await h.store.accounts.markReauth(account.id, 'refresh token revoked');
    await h.queues.enqueue(deliveryId, 'x', Date.now());
    const d = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(d.error).toMatchObject({ code: 'auth_expired', retryable: false });
    const res = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${deliveryId}/resolve`, headers: bearer(ADMIN_KEY), payload: { outcome: 'published', url: 'https://x.com/i/web/status/1', reason: 'found it on the profile' } });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('two 503s on the write, then a 201: back to retrying after each check, one tweet (item 9)', { timeout: 60_000 }, async () => {
    const acc = await xAccount();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', times: 2, fault: unavailable });
    const { deliveryId } = await schedule(acc, 'after two outages');
    await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    const retrying = await h.waitFor(deliveryId, (x) => x.status === 'retrying');
    expect(retrying.error).toMatchObject({ code: 'write_not_published', retryable: true });
    expect(retrying.armed).toBeUndefined();
    expect(retrying.ambiguous).toBeUndefined();
    const d = await h.waitFor(deliveryId, (x) => x.status === 'published', 45_000);
    expect(tweetsWith('after two outages')).toHaveLength(1);
    expect(d.attempts).toBe(3);
    expect(d.history.filter((e) => e.code === 'write_not_published')).toHaveLength(2);
  });
});

describe('delivery safety, attempts spent', () => {
  let h1: TestHerald;
  beforeAll(async () => {
    h1 = await startTestHerald({ worker: true, platformUrls: { x: sim.server.origin() }, env: { PLATFORM_TIMEOUT_MS: '1500', MAX_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await h1?.stop();
  });

  it('a write proved absent after the last attempt fails, retryable (item 9)', async () => {
    const c = await h1.creator('spent');
    const demo = sim.createDemoAccount();
    const acc = (await h1.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(c.key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } })).json().id;
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: unavailable });
    const res = await h1.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(c.key), payload: { text: 'one attempt only', targets: [{ accountId: acc }] } });
    const deliveryId = res.json().deliveries[0].id as string;
    await h1.waitFor(deliveryId, (x) => x.status === 'unknown');
    const d = await h1.waitFor(deliveryId, (x) => x.status === 'failed');
    expect(d.error).toMatchObject({ code: 'write_not_published', retryable: true });
    expect(tweetsWith('one attempt only')).toHaveLength(0);
  });
});
