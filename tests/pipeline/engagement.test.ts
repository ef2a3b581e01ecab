/**
 * Post analytics end to end on a real redis-server: publishing schedules collections
 * (1 h / 24 h / 7 days, shortened here), the collector queue reads each platform's numbers
 * from its simulator, GET /v1/posts/:id/metrics shows the latest reading, and refresh is
 * rate-limited per account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let x: XSimulator;
let li: ReturnType<typeof createLinkedInSimulator>;
let creator: { id: string; key: string };

beforeAll(async () => {
  x = createXSimulator();
  li = createLinkedInSimulator();
  h = await startTestHerald({
    worker: true, platformUrls: { x: await x.server.start(), linkedin: await li.server.start() },
    webhooks: { relayIntervalMs: 50 },
    analytics: { schedule: [{ label: '1h', afterMs: 300 }, { label: '24h', afterMs: 3600_000 }, { label: '7d', afterMs: 7 * 24 * 3600_000 }], tickMs: 50, refreshIntervalMs: 60_000 },
  });
  creator = await h.creator('analytics');
});
afterAll(async () => {
  await h?.stop();
  await x?.server.stop();
  await li?.server.stop();
});

async function connect(platform: 'x' | 'linkedin', demo: { externalId: string; handle?: string; credentials: unknown }) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform, externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function publish(accountIds: string[], text: string) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text, targets: accountIds.map((accountId) => ({ accountId })) } });
  expect(res.statusCode, res.body).toBe(202);
  const post = res.json();
  for (const d of post.deliveries) await h.waitFor(d.id, (v) => v.status === 'published');
  return post.id as string;
}

type Row = { deliveryId: string; platform: string; status: string; metrics: Record<string, unknown> | null; reason: string | null };
async function metrics(postId: string, key = creator.key) {
  return h.api!.inject({ method: 'GET', url: `/v1/posts/${postId}/metrics`, headers: bearer(key) });
}
async function waitMetrics(postId: string, pred: (rows: Row[]) => boolean): Promise<Row[]> {
  const deadline = Date.now() + 15_000;
  let rows: Row[] = [];
  while (Date.now() < deadline) {
    rows = (await metrics(postId)).json().deliveries;
    if (pred(rows)) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`metrics did not arrive: ${JSON.stringify(rows)}`);
}

describe('post analytics', () => {
  it('collects on schedule after publishing, per delivery, and says when a platform\'s scopes give nothing', async () => {
    const xAcc = await connect('x', x.createDemoAccount());
    const liAcc = await connect('linkedin', li.createDemoAccount());
    const before = Date.now();
    const postId = await publish([xAcc, liAcc], 'how did this do');
    const tweet = x.state.tweets.find((t) => t.text === 'how did this do')!;
    tweet.metrics = { impression_count: 900, like_count: 12, reply_count: 4, retweet_count: 2, quote_count: 1 };

    // Scheduled: about 1 h (here 300 ms), 24 h and 7 days after publishing.
    const xDelivery = (await h.store.deliveries.getMany((await h.store.posts.get(postId))!.targets.map((t) => t.deliveryId))).find((d) => d?.platform === 'x')!;
    await h.relayNow();
    const publishedAt = Date.parse(xDelivery.publishedAt!);
    expect(Number(await h.store.redis.zscore(h.store.k.engagementDue, `${xDelivery.id}:24h`))).toBe(publishedAt + 3600_000);
    expect(Number(await h.store.redis.zscore(h.store.k.engagementDue, `${xDelivery.id}:7d`))).toBe(publishedAt + 7 * 24 * 3600_000);
    expect(publishedAt).toBeGreaterThanOrEqual(before);

    const rows = await waitMetrics(postId, (r) => r.every((d) => d.status !== 'pending'));
    const xRow = rows.find((r) => r.platform === 'x')!;
    expect(xRow).toMatchObject({ status: 'collected', reason: null, metrics: { impressions: 900, likes: 12, comments: 4, shares: 3 } });
    expect(xRow.metrics).not.toHaveProperty('views');
    expect(Date.parse(String(xRow.metrics!.collectedAt))).toBeGreaterThanOrEqual(publishedAt);
    const liRow = rows.find((r) => r.platform === 'linkedin')!;
    expect(liRow).toMatchObject({ status: 'unavailable', metrics: null, reason: expect.stringMatching(/r_member_social/) });
  });

  it('refreshes on demand, once per account per interval (429 with Retry-After in the envelope)', async () => {
    const xAcc = await connect('x', x.createDemoAccount());
    const postId = await publish([xAcc], 'refresh me');
    const tweet = x.state.tweets.find((t) => t.text === 'refresh me')!;
    await waitMetrics(postId, (r) => r[0]!.status === 'collected');
    tweet.metrics = { like_count: 99 };
    const res = await h.api!.inject({ method: 'POST', url: `/v1/posts/${postId}/metrics/refresh`, headers: bearer(creator.key) });
    expect(res.statusCode, res.body).toBe(202);
    const rows = await waitMetrics(postId, (r) => r[0]!.metrics?.likes === 99);
    expect(rows[0]!.metrics).toMatchObject({ likes: 99, impressions: 0 });

    const again = await h.api!.inject({ method: 'POST', url: `/v1/posts/${postId}/metrics/refresh`, headers: bearer(creator.key) });
    expect(again.statusCode).toBe(429);
    expect(again.json().error).toMatchObject({ code: 'rate_limited', requestId: expect.any(String) });
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('shows not_published for a delivery that has not published', async () => {
    const xAcc = await connect('x', x.createDemoAccount());
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'later', targets: [{ accountId: xAcc }], scheduledAt: new Date(Date.now() + 3600_000).toISOString() } });
    const rows = (await metrics(res.json().id)).json().deliveries;
    expect(rows[0]).toMatchObject({ status: 'not_published', metrics: null });
  });

  it('keeps creators apart: another creator\'s post metrics are not found', async () => {
    const xAcc = await connect('x', x.createDemoAccount());
    const postId = await publish([xAcc], 'mine only');
    const other = await h.creator('someone else');
    expect((await metrics(postId, other.key)).statusCode).toBe(404);
    expect((await h.api!.inject({ method: 'POST', url: `/v1/posts/${postId}/metrics/refresh`, headers: bearer(other.key) })).statusCode).toBe(404);
  });
});
