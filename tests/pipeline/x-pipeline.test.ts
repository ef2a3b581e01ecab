/**
 * The whole pipeline, end to end: HTTP API → Redis → BullMQ → publish worker → X adapter
 * → X simulator over HTTP, on a real redis-server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let sim: XSimulator;
let creator: { id: string; key: string };

beforeAll(async () => {
  sim = createXSimulator({ duplicateWindowMs: 3600_000 });
  const origin = await sim.server.start();
  h = await startTestHerald({ worker: true, platformUrls: { x: origin }, env: { PLATFORM_TIMEOUT_MS: '1500', WORKER_CONCURRENCY: '10' } });
  creator = await h.creator('pipeline');
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
  return { id: res.json().id as string, externalId: demo.externalId, handle: demo.handle! };
}

async function schedule(accountId: string, text: string, scheduledAt?: Date) {
  const res = await h.api!.inject({
    method: 'POST', url: '/v1/posts', headers: bearer(creator.key),
    payload: { text, targets: [{ accountId }], ...(scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}) },
  });
  expect(res.statusCode, res.body).toBe(202);
  const body = res.json();
  return { postId: body.id as string, deliveryId: body.deliveries[0].id as string };
}

const tweetsWith = (text: string) => sim.state.tweets.filter((t) => t.text === text);

describe('X pipeline', () => {
  it('publishes immediately and tells the truth about it', async () => {
    const acc = await xAccount();
    const { postId, deliveryId } = await schedule(acc.id, 'immediate hello');
    const d = await h.waitFor(deliveryId, (x) => x.status === 'published');
    const tweet = tweetsWith('immediate hello');
    expect(tweet).toHaveLength(1);
    expect(d.platformPostId).toBe(tweet[0]!.id);
    expect(d.url).toBe(`https://x.com/${acc.handle}/status/${tweet[0]!.id}`);
    const post = (await h.api!.inject({ method: 'GET', url: `/v1/posts/${postId}`, headers: bearer(creator.key) })).json();
    expect(post.status).toBe('published');
    expect(post.deliveries[0].history.map((e: { event: string }) => e.event)).toEqual(['attempt_started', 'published']);
  });

  it('publishes a scheduled post at its time, not before', async () => {
    const acc = await xAccount();
    const at = new Date(Date.now() + 2_000);
    const { deliveryId } = await schedule(acc.id, 'scheduled hello', at);
    expect((await h.store.deliveries.get(deliveryId))!.status).toBe('scheduled');
    await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(tweetsWith('scheduled hello')[0]!.createdAt).toBeGreaterThanOrEqual(at.getTime());
  });

  it('cancels a scheduled post: nothing is published', async () => {
    const acc = await xAccount();
    const { postId, deliveryId } = await schedule(acc.id, 'never to be seen', new Date(Date.now() + 1_500));
    const res = await h.api!.inject({ method: 'DELETE', url: `/v1/posts/${postId}`, headers: bearer(creator.key) });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('canceled');
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await h.store.deliveries.get(deliveryId))!.status).toBe('canceled');
    expect(tweetsWith('never to be seen')).toHaveLength(0);
    expect(await h.queues.queue('x').getJob(deliveryId)).toBeUndefined();
  });

  it('reschedules earlier and later', async () => {
    const acc = await xAccount();
    const { postId, deliveryId } = await schedule(acc.id, 'moved earlier', new Date(Date.now() + 3600_000));
    const patch = await h.api!.inject({ method: 'PATCH', url: `/v1/posts/${postId}`, headers: bearer(creator.key), payload: { scheduledAt: new Date(Date.now() + 1_000).toISOString(), text: 'moved earlier, edited' } });
    expect(patch.statusCode, patch.body).toBe(200);
    await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(tweetsWith('moved earlier, edited')).toHaveLength(1);

    const later = await schedule(acc.id, 'moved later', new Date(Date.now() + 1_500));
    await h.api!.inject({ method: 'PATCH', url: `/v1/posts/${later.postId}`, headers: bearer(creator.key), payload: { scheduledAt: new Date(Date.now() + 3600_000).toISOString() } });
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await h.store.deliveries.get(later.deliveryId))!.status).toBe('scheduled');
    expect(tweetsWith('moved later')).toHaveLength(0);
    // Editing a published post is refused.
    const conflict = await h.api!.inject({ method: 'PATCH', url: `/v1/posts/${postId}`, headers: bearer(creator.key), payload: { text: 'too late' } });
    expect(conflict.statusCode).toBe(409);
  });

  it('429 waits for x-rate-limit-reset without spending an attempt, then publishes', async () => {
    const acc = await xAccount();
    const reset = Math.ceil(Date.now() / 1000) + 2;
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'status', status: 429, headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) }, body: { title: 'Too Many Requests', type: 'about:blank', status: 429, detail: 'Too Many Requests' } } });
    const { deliveryId } = await schedule(acc.id, 'after the limit');
    const waiting = await h.waitFor(deliveryId, (x) => x.status === 'retrying');
    expect(Date.parse(waiting.nextAttemptAt!)).toBe(reset * 1000);
    const d = await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(Date.parse(d.publishedAt!)).toBeGreaterThanOrEqual(reset * 1000);
    expect(d.attempts).toBe(1);
    expect(d.history.map((e) => e.event)).toContain('rate_limited');
  });

  it('401 → one refresh with rotation → published; the rotated token is stored', async () => {
    const acc = await xAccount();
    const before = await h.store.accounts.credentials(acc.id);
    sim.expireAllAccessTokens();
    const refreshes = sim.state.refreshCount;
    const { deliveryId } = await schedule(acc.id, 'after refresh');
    await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(sim.state.refreshCount - refreshes).toBe(1);
    const after = await h.store.accounts.credentials(acc.id);
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
  });

  it('five concurrent deliveries on an expired token cause exactly one refresh', async () => {
    const acc = await xAccount();
    sim.expireAllAccessTokens();
    const refreshes = sim.state.refreshCount;
    const runAt = new Date(Date.now() + 800);
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => schedule(acc.id, `concurrent ${i}`, runAt)));
    for (const { deliveryId } of ids) await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(sim.state.refreshCount - refreshes).toBe(1);
  });

  it('a dead refresh token marks the account reauth_required and fails fast with auth_expired', async () => {
    const acc = await xAccount();
    sim.expireAllAccessTokens();
    // Rotate the refresh token behind Herald's back: the stored one is now used up.
    const creds = await h.store.accounts.credentials(acc.id);
    await fetch(`${sim.server.origin()}/2/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds!.refreshToken!, client_id: 'test-x-client' }) });
    sim.expireAllAccessTokens();
    const { deliveryId } = await schedule(acc.id, 'doomed by reauth');
    const d = await h.waitFor(deliveryId, (x) => x.status === 'failed');
    expect(d.error).toMatchObject({ code: 'auth_expired', retryable: true });
    expect((await h.store.accounts.get(acc.id))!.status).toBe('reauth_required');
    const refused = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'x', targets: [{ accountId: acc.id }] } });
    expect(refused.json().error.details[0].code).toBe('account_reauth_required');
  });

  it('duplicate content → failed, not retryable; an admin retry with a reason is audited', async () => {
    const acc = await xAccount();
    const first = await schedule(acc.id, 'same words twice');
    await h.waitFor(first.deliveryId, (x) => x.status === 'published');
    const second = await schedule(acc.id, 'same words twice');
    const d = await h.waitFor(second.deliveryId, (x) => x.status === 'failed');
    expect(d.error).toMatchObject({ code: 'x.duplicate_content', retryable: false });
    expect(tweetsWith('same words twice')).toHaveLength(1);

    // The creator cannot retry a non-retryable failure; the admin can, with force and a reason.
    const creatorRetry = await h.api!.inject({ method: 'POST', url: `/v1/posts/${second.postId}/retry`, headers: bearer(creator.key), payload: {} });
    expect(creatorRetry.statusCode).toBe(409);
    const noForce = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${second.deliveryId}/retry`, headers: bearer(ADMIN_KEY), payload: { reason: 'creator asked' } });
    expect(noForce.statusCode).toBe(409);
    const forced = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${second.deliveryId}/retry`, headers: bearer(ADMIN_KEY), payload: { reason: 'creator deleted the first one', force: true } });
    expect(forced.statusCode, forced.body).toBe(200);
    const audit = (await h.api!.inject({ method: 'GET', url: `/v1/admin/audit?target=${second.deliveryId}`, headers: bearer(ADMIN_KEY) })).json();
    expect(audit.data[0]).toMatchObject({ action: 'delivery.retry', reason: 'creator deleted the first one', actor: 'admin' });
    const retried = await h.waitFor(second.deliveryId, (x) => x.status === 'failed' && x.history.some((e) => e.event === 'retry_requested'));
    expect(retried.history.find((e) => e.event === 'retry_requested')!.reason).toBe('creator deleted the first one');
    // Published deliveries are never retried.
    const again = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${first.deliveryId}/retry`, headers: bearer(ADMIN_KEY), payload: { reason: 'try it', force: true } });
    expect(again.statusCode).toBe(409);
  });

  it('accept-then-hang → unknown, never a second write; reconciled from the timeline', async () => {
    const acc = await xAccount();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'hang_after_commit' } });
    const { deliveryId } = await schedule(acc.id, 'accepted then silence');
    const unknown = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(unknown.error?.code).toBe('x.write_outcome_unknown');
    const d = await h.waitFor(deliveryId, (x) => x.status === 'published', 20_000);
    const tweets = tweetsWith('accepted then silence');
    expect(tweets).toHaveLength(1);
    expect(d.platformPostId).toBe(tweets[0]!.id);
    expect(sim.server.callsTo('POST', '/2/tweets').filter((c) => c.status === 'hung')).toHaveLength(1);
    expect(d.history.map((e) => e.event)).toEqual(expect.arrayContaining(['outcome_unknown', 'reconcile_started', 'published']));
  });

  it('an armed write left by a dead run stays unknown when the check itself fails; nothing is re-sent', async () => {
    const acc = await xAccount();
    const { deliveryId } = await schedule(acc.id, 'armed by a dead run', new Date(Date.now() + 3600_000));
    await h.queues.remove(deliveryId, 'x');
    await h.store.deliveries.update(deliveryId, (x, now) => {
      x.status = 'publishing';
      x.scheduledAt = now.toISOString();
      x.armed = { label: 'tweet:0', token: 'dead-run', at: now.toISOString() };
      return x;
    });
    sim.server.injectFault({ method: 'GET', path: '/2/users/*', times: 10, fault: { type: 'status', status: 503, body: { title: 'Service Unavailable', status: 503, type: 'about:blank', detail: 'down' } } });
    const writes = sim.server.callsTo('POST', '/2/tweets').length;
    await h.queues.enqueue(deliveryId, 'x', Date.now());
    const d = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(d.error?.code).toBe('write_outcome_unknown');
    expect(d.armed?.label).toBe('tweet:0');
    expect(d.attempts).toBe(0);
    expect(sim.server.callsTo('POST', '/2/tweets').length).toBe(writes);
  });

  it('saved progress this version cannot read is unknown (progress_unreadable); nothing is sent', async () => {
    const acc = await xAccount();
    const { deliveryId } = await schedule(acc.id, 'progress from another release', new Date(Date.now() + 3600_000));
    await h.queues.remove(deliveryId, 'x');
    await h.store.deliveries.update(deliveryId, (x, now) => {
      x.scheduledAt = now.toISOString();
      x.progress = { tweetIds: 'one, two' };
      return x;
    });
    const writes = sim.server.callsTo('POST', '/2/tweets').length;
    await h.queues.enqueue(deliveryId, 'x', Date.now());
    const d = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(d.error?.code).toBe('progress_unreadable');
    expect(d.error?.message).toMatch(/tweetIds/);
    expect(sim.server.callsTo('POST', '/2/tweets').length).toBe(writes);
    expect(tweetsWith('progress from another release')).toHaveLength(0);
  });

  it('a 5xx on the write is unknown and an admin resolves it', async () => {
    const acc = await xAccount();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'status', status: 503, body: { title: 'Service Unavailable', status: 503, type: 'about:blank', detail: 'down' } } });
    // The timeline check fails too, so the delivery waits for the admin.
    sim.server.injectFault({ method: 'GET', path: '/2/users/*', times: 10, fault: { type: 'status', status: 503, body: { title: 'Service Unavailable', status: 503, type: 'about:blank', detail: 'down' } } });
    const { deliveryId } = await schedule(acc.id, 'five hundred');
    await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    const list = (await h.api!.inject({ method: 'GET', url: '/v1/admin/deliveries?status=unknown', headers: bearer(ADMIN_KEY) })).json();
    expect(list.data.map((x: { id: string }) => x.id)).toContain(deliveryId);
    const res = await h.api!.inject({ method: 'POST', url: `/v1/admin/deliveries/${deliveryId}/resolve`, headers: bearer(ADMIN_KEY), payload: { outcome: 'not_published', reason: 'checked the profile, nothing there' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'failed', error: { code: 'resolved_not_published', retryable: true } });
    const bulk = await h.api!.inject({ method: 'POST', url: '/v1/admin/retries', headers: bearer(ADMIN_KEY), payload: { filter: { errorCode: 'resolved_not_published' }, reason: 'platform recovered' } });
    expect(bulk.json().retried).toBeGreaterThanOrEqual(1);
    await h.waitFor(deliveryId, (x) => x.status === 'published');
    expect(tweetsWith('five hundred')).toHaveLength(1);
  });

  it('a socket closed with no answer to the write is unknown, never retried blindly', async () => {
    const acc = await xAccount();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'drop_before' } });
    const { deliveryId } = await schedule(acc.id, 'dropped before');
    const d = await h.waitFor(deliveryId, (x) => x.status === 'unknown');
    expect(d.error?.code).toBe('x.write_outcome_unknown');
    expect(sim.server.callsTo('POST', '/2/tweets').filter((c) => c.status === 'dropped')).toHaveLength(1);
    expect(tweetsWith('dropped before')).toHaveLength(0);
  });

  it('a failure before the write (media upload 503) is retried with backoff, then published with the image', async () => {
    const acc = await xAccount();
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
    const { createServer } = await import('node:http');
    const media = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png));
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(media.address() as { port: number }).port}/pic.png`;
    try {
      sim.server.injectFault({ method: 'POST', path: '/2/media/upload/initialize', fault: { type: 'status', status: 503, body: { title: 'Service Unavailable', status: 503, type: 'about:blank', detail: 'busy' } } });
      const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'with a picture', media: [{ url, altText: 'a pixel' }], targets: [{ accountId: acc.id }] } });
      expect(res.statusCode, res.body).toBe(202);
      const deliveryId = res.json().deliveries[0].id;
      const retrying = await h.waitFor(deliveryId, (x) => x.status === 'retrying');
      expect(retrying.attempts).toBe(1);
      expect(retrying.error).toMatchObject({ retryable: true });
      const d = await h.waitFor(deliveryId, (x) => x.status === 'published', 20_000);
      const tweet = tweetsWith('with a picture');
      expect(tweet).toHaveLength(1);
      expect(tweet[0]!.mediaIds).toHaveLength(1);
      expect(d.attempts).toBe(2);
    } finally {
      media.close();
    }
  });

  it('pausing a platform holds its deliveries; resuming releases them', async () => {
    const acc = await xAccount();
    expect((await h.api!.inject({ method: 'POST', url: '/v1/admin/platforms/x/pause', headers: bearer(ADMIN_KEY), payload: { reason: 'X outage' } })).statusCode).toBe(200);
    const { deliveryId } = await schedule(acc.id, 'held while paused');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await h.store.deliveries.get(deliveryId))!.status).toBe('queued');
    const queues = (await h.api!.inject({ method: 'GET', url: '/v1/admin/queues', headers: bearer(ADMIN_KEY) })).json();
    expect(queues.platforms.x.paused).toBe(true);
    await h.api!.inject({ method: 'POST', url: '/v1/admin/platforms/x/resume', headers: bearer(ADMIN_KEY), payload: {} });
    await h.waitFor(deliveryId, (x) => x.status === 'published');
  });

  it('the sweeper re-enqueues a due delivery whose job was lost', async () => {
    const acc = await xAccount();
    const { deliveryId } = await schedule(acc.id, 'lost job', new Date(Date.now() + 3600_000));
    // Simulate a lost job and a due time that has passed.
    await h.queues.remove(deliveryId, 'x');
    await h.store.deliveries.update(deliveryId, (x) => {
      x.scheduledAt = new Date(Date.now() - 10_000).toISOString();
      return x;
    });
    const r = await h.sweepNow();
    expect(r.enqueued).toBeGreaterThanOrEqual(1);
    await h.waitFor(deliveryId, (x) => x.status === 'published');
    const again = await h.sweepNow();
    expect(again.enqueued).toBe(0);
  });
});
