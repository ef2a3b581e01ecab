/**
 * Media through the whole pipeline: uploads and user URLs, streamed by the worker to the
 * YouTube and LinkedIn simulators; quota windows; memory while a large file goes through.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { createYouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import { nextPacificMidnight } from '../../src/platform/errors.ts';
import { generatedSource } from '../../src/platform/media.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let yt: ReturnType<typeof createYouTubeSimulator>;
let li: ReturnType<typeof createLinkedInSimulator>;
let creator: { id: string; key: string };
let media: http.Server;
let mediaBase: string;

/** Serves generated video bytes of any size without holding them: /video/<bytes>.mp4 */
function startMediaServer() {
  media = http.createServer(async (req, res) => {
    const m = /^\/video\/(\d+)\.mp4$/.exec(req.url ?? '');
    if (!m) return res.writeHead(404).end();
    const size = Number(m[1]);
    const range = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { 'content-type': 'video/mp4', 'content-length': String(size - start), ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}) });
    if (req.method === 'HEAD') return res.end();
    for await (const chunk of generatedSource(size, 'video/mp4').stream(start)) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      if (res.destroyed) return;
    }
    res.end();
  });
  return new Promise<void>((r) => media.listen(0, '127.0.0.1', () => {
    mediaBase = `http://127.0.0.1:${(media.address() as { port: number }).port}`;
    r();
  }));
}

beforeAll(async () => {
  yt = createYouTubeSimulator();
  li = createLinkedInSimulator({ videoPollsUntilAvailable: 1 });
  await startMediaServer();
  h = await startTestHerald({ worker: true, platformUrls: { youtube: await yt.server.start(), linkedin: await li.server.start() }, env: { PLATFORM_TIMEOUT_MS: '5000' } });
  creator = await h.creator('media');
});
afterAll(async () => {
  await h?.stop();
  await yt?.server.stop();
  await li?.server.stop();
  media?.close();
});

async function account(platform: 'youtube' | 'linkedin', sim: { createDemoAccount(): { externalId: string; handle?: string; credentials: Record<string, unknown> } }) {
  const demo = sim.createDemoAccount();
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform, externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function post(payload: Record<string, unknown>) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().deliveries as { id: string; platform: string }[];
}

describe('media pipeline', () => {
  it('uploads media, serves it at a signed URL only, and publishes it to YouTube', async () => {
    const bytes = Buffer.alloc(700_000, 3);
    const up = await h.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(creator.key), 'content-type': 'video/mp4' }, payload: bytes });
    expect(up.statusCode, up.body).toBe(201);
    const m = up.json();
    expect(m).toMatchObject({ mimeType: 'video/mp4', bytes: bytes.length });
    const signed = new URL(m.url);
    const served = await h.api!.inject({ method: 'GET', url: signed.pathname + signed.search });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(bytes)).toBe(true);
    const ranged = await h.api!.inject({ method: 'GET', url: signed.pathname + signed.search, headers: { range: 'bytes=10-19' } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.rawPayload.length).toBe(10);
    const tampered = await h.api!.inject({ method: 'GET', url: `${signed.pathname}?exp=${signed.searchParams.get('exp')}&sig=AAAA` });
    expect(tampered.statusCode).toBe(404);
    // Another creator cannot use this media id.
    const other = await h.creator('other');
    const otherAcc = await (async () => {
      const demo = yt.createDemoAccount();
      return (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(other.key), payload: { platform: 'youtube', externalId: demo.externalId, credentials: demo.credentials } })).json().id;
    })();
    const stolen = await h.api!.inject({ method: 'POST', url: '/v1/posts/validate', headers: bearer(other.key), payload: { text: '', media: [{ mediaId: m.id }], targets: [{ accountId: otherAcc, options: { title: 't' } }] } });
    expect(stolen.json().issues.map((i: { code: string }) => i.code)).toContain('media_not_found');

    const acc = await account('youtube', yt);
    const [d] = await post({ text: 'A description', media: [{ mediaId: m.id }], targets: [{ accountId: acc, options: { title: 'Uploaded clip', privacy: 'unlisted', tags: ['herald', 'demo video'] } }] });
    const done = await h.waitFor(d!.id, (x) => x.status === 'published');
    const video = [...yt.state.videos.values()].find((v) => v.id === done.platformPostId)!;
    expect(video.bytes).toBe(bytes.length);
    expect(video.snippet).toMatchObject({ title: 'Uploaded clip', description: 'A description', tags: ['herald', 'demo video'] });
    expect(video.status).toMatchObject({ privacyStatus: 'unlisted' });
    expect(done.url).toBe(`https://www.youtube.com/watch?v=${video.id}`);
  });

  it('rejects YouTube rules at accept time (422) and oversized uploads (413)', async () => {
    const acc = await account('youtube', yt);
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'a <b> c', media: [{ url: `${mediaBase}/video/1000.mp4` }], targets: [{ accountId: acc, options: { title: 'x'.repeat(101), privacy: 'public', publishAt: new Date(Date.now() + 86400_000).toISOString() } }] } });
    expect(res.statusCode).toBe(422);
    const codes = res.json().error.details.map((i: { field: string }) => i.field);
    expect(codes).toEqual(expect.arrayContaining(['targets.0.options.title', 'text']));
    const small = await startTestHerald({ env: { MEDIA_MAX_BYTES: '2048' } });
    try {
      const c = await small.creator();
      const big = await small.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(c.key), 'content-type': 'image/png' }, payload: Buffer.alloc(4096) });
      expect(big.statusCode).toBe(413);
      const wrong = await small.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(c.key), 'content-type': 'application/x-sh' }, payload: Buffer.alloc(10) });
      expect(wrong.statusCode).toBe(415);
    } finally {
      await small.stop();
    }
  });

  it('publishes a LinkedIn video in 4 MiB parts fetched from a URL', async () => {
    const acc = await account('linkedin', li);
    const size = 9 * 1024 * 1024 + 123;
    const [d] = await post({ text: 'Video (with parens) #launch', media: [{ url: `${mediaBase}/video/${size}.mp4` }], targets: [{ accountId: acc }] });
    const done = await h.waitFor(d!.id, (x) => x.status === 'published', 30_000);
    const p = li.state.posts.find((x) => x.urn === done.platformPostId)!;
    expect(p).toBeDefined();
    expect(p.commentary).toBe('Video \\(with parens\\) {hashtag|\\#|launch}');
    expect(p.hashtags).toEqual(['launch']);
    const asset = [...li.state.assets.values()].find((a) => a.kind === 'video' && a.partPuts !== undefined)!;
    expect(asset.partPuts).toEqual([1, 1, 1]);
  });

  it('LinkedIn: a lost answer to the post is reconciled by the duplicate check naming the first URN', { timeout: 30_000 }, async () => {
    const acc = await account('linkedin', li);
    li.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'hang_after_commit' } });
    const [d] = await post({ text: 'LinkedIn answer lost', targets: [{ accountId: acc }] });
    await h.waitFor(d!.id, (x) => x.status === 'unknown', 25_000);
    const done = await h.waitFor(d!.id, (x) => x.status === 'published', 25_000);
    const live = li.livePosts().filter((p) => JSON.stringify(p).includes('LinkedIn answer lost'));
    expect(live).toHaveLength(1);
    expect(done.platformPostId).toBe(live[0]!.urn);
    expect(done.url).toBe(`https://www.linkedin.com/feed/update/${live[0]!.urn}`);
  });

  it('quotaExceeded blocks YouTube until midnight Pacific without failing or hammering', async () => {
    yt.state.quota.insertsUsed = 1_000_000;
    const a1 = await account('youtube', yt);
    const a2 = await account('youtube', yt);
    const sessionsBefore = yt.server.callsTo('POST', '/upload/youtube/v3/videos').length;
    const [d1] = await post({ text: '', media: [{ url: `${mediaBase}/video/5000.mp4` }], targets: [{ accountId: a1, options: { title: 'over quota' } }] });
    const waiting = await h.waitFor(d1!.id, (x) => x.status === 'retrying');
    expect(waiting.nextAttemptAt).toBe(nextPacificMidnight().toISOString());
    expect(waiting.attempts).toBe(0);
    const [d2] = await post({ text: '', media: [{ url: `${mediaBase}/video/5000.mp4` }], targets: [{ accountId: a2, options: { title: 'also waits' } }] });
    const second = await h.waitFor(d2!.id, (x) => x.status === 'retrying');
    expect(second.nextAttemptAt).toBe(nextPacificMidnight().toISOString());
    // Only the first delivery asked YouTube; the second waited on the platform-wide block.
    expect(yt.server.callsTo('POST', '/upload/youtube/v3/videos').length - sessionsBefore).toBe(1);
    await h.store.redis.del(h.store.k.platformBlock('youtube'));
    yt.state.quota.insertsUsed = 0;
  });

  it('streams a large video from a URL to YouTube with bounded memory', { timeout: 120_000 }, async () => {
    const acc = await account('youtube', yt);
    const size = 256 * 1024 * 1024;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    try {
      const [d] = await post({ text: 'big one', media: [{ url: `${mediaBase}/video/${size}.mp4` }], targets: [{ accountId: acc, options: { title: 'Large upload' } }] });
      const done = await h.waitFor(d!.id, (x) => x.status === 'published', 110_000);
      const video = [...yt.state.videos.values()].find((v) => v.id === done.platformPostId)!;
      expect(video.bytes).toBe(size);
    } finally {
      clearInterval(timer);
    }
    // Media server, Herald and the simulator share this process: holding the file anywhere
    // would add at least 256 MB.
    expect(peak - before).toBeLessThan(160 * 1024 * 1024);
  });
});
