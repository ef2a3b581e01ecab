import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { linkedinAdapter } from '../../adapters/linkedin/index.ts';
import { DUPLICATE_PROBE_MAX_AGE_MS } from '../../adapters/linkedin/publish.ts';
import { createLinkedInSimulator, type LinkedInSimOptions } from '../../adapters/linkedin/simulator.ts';
import { nextUtcMidnight } from '../../src/platform/errors.ts';
import { rewriteUrl } from '../../src/platform/http.ts';
import { bufferSource, generatedSource, type MediaSource } from '../../src/platform/media.ts';
import type { Credentials, MediaRef } from '../../src/platform/port.ts';
import { type HarnessState, input, makeContext, publishToEnd, refreshContext, caught } from '../helpers/adapter-harness.ts';
import { targetIssues } from '../../src/platform/define.ts';
import { AppConfigError } from '../../src/platform/oauth2-errors.ts';

const MiB = 1024 * 1024;
const OAUTH = { clientId: 'li-client', clientSecret: 'li-secret' };
type Sim = ReturnType<typeof createLinkedInSimulator>;
type Demo = ReturnType<Sim['createDemoAccount']>;

/** md5 of bytes [first, last] of a source, the way the simulator computes part ETags. */
async function md5Of(source: MediaSource, first: number, last: number): Promise<string> {
  const hash = createHash('md5');
  let left = last - first + 1;
  for await (const piece of source.stream(first)) {
    const take = Math.min(left, piece.byteLength);
    hash.update(piece.subarray(0, take));
    left -= take;
    if (left === 0) break;
  }
  return `"${hash.digest('hex')}"`;
}

/** Throws (like a dying worker) once the reader goes past `limit` bytes. */
function crashingAfter(source: MediaSource, limit: number): MediaSource {
  return {
    ...source,
    async *stream(start = 0) {
      let pos = start;
      for await (const piece of source.stream(start)) {
        if (pos + piece.byteLength > limit) throw new Error('worker crashed mid-upload');
        pos += piece.byteLength;
        yield piece;
      }
    },
  };
}

describe('linkedin adapter against its simulator', () => {
  let sim: Sim;
  let origin: string;
  async function start(o?: LinkedInSimOptions) {
    // Images and documents process for a moment; the adapter's grace for member tokens is a bit longer.
    sim = createLinkedInSimulator({ mediaProcessingMs: 100, ...o });
    origin = await sim.server.start();
  }
  afterEach(async () => {
    await sim?.server.stop();
  });

  function setup(o: {
    text?: string; options?: Record<string, unknown>; media?: MediaSource[]; refs?: MediaRef[]; organization?: boolean;
    extra?: Record<string, string>; state?: HarnessState; ambiguous?: boolean; demo?: Demo; credentials?: Credentials;
  } = {}) {
    const demo = o.demo ?? sim.createDemoAccount({ organization: o.organization ?? false });
    const { ctx, state } = makeContext({
      adapter: linkedinAdapter, baseUrl: origin, credentials: o.credentials ?? demo.credentials, media: o.media ?? [],
      settings: { ...OAUTH, extra: { mediaGraceMs: '150', ...o.extra } }, ...(o.state ? { state: o.state } : {}), previousAttemptAmbiguous: o.ambiguous ?? false,
    });
    const inp = input({
      text: o.text ?? `hello from Herald ${Math.random().toString(36).slice(2, 8)}`,
      options: o.options ?? {},
      media: o.refs ?? (o.media ?? []).map((_, index) => ({ index })),
      account: { id: 'acc_li', externalId: demo.externalId, handle: demo.handle, settings: {} },
    });
    return { ctx, state, inp, demo };
  }

  const postBody = (i = 0) => sim.state.posts[i]!.body as Record<string, unknown> & { content?: Record<string, unknown> };

  it('sends Authorization, LinkedIn-Version and X-Restli-Protocol-Version on every /rest call', async () => {
    await start();
    const { ctx, inp } = setup({ media: [bufferSource(Buffer.alloc(2048, 1), 'image/png')], options: { firstComment: 'more below' }, extra: { apiVersion: '202603' } });
    const out = await publishToEnd(linkedinAdapter, inp, ctx);
    expect(out.status).toBe('published');
    const restCalls = sim.server.calls.filter((c) => c.path.startsWith('/rest/'));
    expect(restCalls.map((c) => `${c.method} ${c.path}`)).toEqual(expect.arrayContaining(['POST /rest/images', 'POST /rest/posts']));
    expect(restCalls.some((c) => c.path.startsWith('/rest/socialActions/'))).toBe(true);
    for (const c of restCalls) {
      expect(c.headers.authorization).toBe(`Bearer ${ctx.credentials.accessToken}`);
      expect(c.headers['linkedin-version']).toBe('202603');
      expect(c.headers['x-restli-protocol-version']).toBe('2.0.0');
    }
  });

  it('sends the post body LinkedIn documents and returns the x-restli-id URN', async () => {
    await start();
    const { ctx, inp, demo } = setup({ options: { visibility: 'CONNECTIONS' } });
    const out = await publishToEnd(linkedinAdapter, inp, ctx);
    const post = sim.state.posts[0]!;
    expect(out).toEqual({ status: 'published', receipt: { platformPostId: post.urn, url: `https://www.linkedin.com/feed/update/${post.urn}`, details: { postUrn: post.urn } } });
    expect(post.body).toEqual({
      author: demo.externalId, commentary: inp.text, visibility: 'CONNECTIONS',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED', isReshareDisabledByAuthor: false,
    });
    expect(sim.server.callsTo('POST', '/rest/posts')[0]!.headers['content-type']).toBe('application/json');
  });

  it('escapes little-format reserved characters so readers see the text as written', async () => {
    await start();
    const text = 'Sale_now (50%) a#b @bob [x] {y} <z> a*b ~c | d \\ e';
    const { ctx, inp } = setup({ text });
    await publishToEnd(linkedinAdapter, inp, ctx);
    const post = sim.state.posts[0]!;
    expect(post.commentary).toBe('Sale\\_now \\(50%\\) a\\#b \\@bob \\[x\\] \\{y\\} \\<z\\> a\\*b \\~c \\| d \\\\ e');
    expect(post.unescaped).toEqual([]);
    expect(post.text).toBe(text);
    expect(post.hashtags).toEqual([]);
  });

  it('sends #word as a hashtag template LinkedIn links (issue 9 item 5)', async () => {
    await start();
    const text = 'Launch day #Herald, #open_source and #2026! Not a tag: a#b, (#) and ## alone';
    const { ctx, inp } = setup({ text });
    await publishToEnd(linkedinAdapter, inp, ctx);
    const post = sim.state.posts[0]!;
    expect(post.hashtags).toEqual(['Herald', 'open_source', '2026']);
    expect(post.commentary).toContain('{hashtag|\\#|Herald}');
    expect(post.text).toBe(text);
    expect(post.unescaped).toEqual([]);
  });

  it('sends @[Name](urn) as a mention and escapes a mention-like text that is not one (issue 9 item 5)', async () => {
    await start();
    const text = 'Thanks @[Ada Lovelace](urn:li:person:abc123) and @[Acme_Co](urn:li:organization:2414183); not @[x](https://e.com) nor @bob';
    const { ctx, inp } = setup({ text });
    await publishToEnd(linkedinAdapter, inp, ctx);
    const post = sim.state.posts[0]!;
    expect(post.mentions).toEqual([{ name: 'Ada Lovelace', urn: 'urn:li:person:abc123' }, { name: 'Acme_Co', urn: 'urn:li:organization:2414183' }]);
    expect(post.text).toBe('Thanks Ada Lovelace and Acme_Co; not @[x](https://e.com) nor @bob');
    expect(post.unescaped).toEqual([]);
  });

  it('keeps URLs exactly as written: LinkedIn links them with every character (issue 9 item 5)', async () => {
    await start();
    const url = 'https://example.com/a_b/(c)?q=x*y|z&t=~1#top';
    const text = `Read ${url}. Also http://e.org/x_y, done #news`;
    const { ctx, inp } = setup({ text });
    await publishToEnd(linkedinAdapter, inp, ctx);
    const post = sim.state.posts[0]!;
    expect(post.links).toEqual([url, 'http://e.org/x_y']);
    expect(post.text).toBe(text);
    expect(post.hashtags).toEqual(['news']);
    expect(post.unescaped).toEqual([]);
  });

  it('counts the 3,000 characters on the commentary LinkedIn receives: escapes included, UTF-16 units (issue 9 item 5)', async () => {
    await start();
    const escapes = `${'a'.repeat(2990)}${'_'.repeat(10)}`; // 3,000 as typed, 3,010 once escaped
    const emoji = '😀'.repeat(1501); // 1,501 code points, 3,002 UTF-16 units
    const { count, maxLength } = linkedinAdapter.manifest.text;
    expect(count(escapes)).toBe(3010);
    expect(count(emoji)).toBe(3002);
    expect(count('#Herald')).toBe('{hashtag|\\#|Herald}'.length);
    const fits = `${'a'.repeat(2980)}${'_'.repeat(10)}`;
    expect(count(fits)).toBe(maxLength);
    const { ctx, inp } = setup({ text: fits });
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
    expect(sim.state.posts[0]!.commentary.length).toBe(3000);
  });

  it('posts as an organization: the page URN is the author and the media owner', async () => {
    await start();
    const { ctx, inp, demo } = setup({ organization: true, media: [bufferSource(Buffer.alloc(100, 2), 'image/jpeg')] });
    await publishToEnd(linkedinAdapter, inp, ctx);
    expect(demo.externalId).toMatch(/^urn:li:organization:\d+$/);
    expect(postBody().author).toBe(demo.externalId);
    expect([...sim.state.assets.values()][0]!.owner).toBe(demo.externalId);
  });

  it('uploads a single image in one PUT and references it with its alt text', async () => {
    await start();
    const png = Buffer.alloc(300_000, 7);
    const { ctx, inp, state } = setup({ media: [bufferSource(png, 'image/png')], refs: [{ index: 0, altText: 'a red square' }] });
    const out = await publishToEnd(linkedinAdapter, inp, ctx);
    const image = [...sim.state.assets.values()][0]!;
    expect(image).toMatchObject({ kind: 'image', bytes: png.byteLength, partPuts: [1], status: 'AVAILABLE' });
    const puts = sim.server.callsTo('PUT', '/dms-uploads/*');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.headers['content-type']).toBe('image/png');
    expect(puts[0]!.headers.authorization).toBe(`Bearer ${ctx.credentials.accessToken}`);
    expect(postBody().content).toEqual({ media: { id: image.urn, altText: 'a red square' } });
    expect(state.progress.media).toEqual({ 0: { urn: image.urn, kind: 'image', altText: 'a red square', uploadedAt: expect.any(Number), ready: true } });
    expect(out.status === 'published' && out.receipt.details?.mediaUrns).toEqual([image.urn]);
  });

  it('sends several images as a multiImage in order', async () => {
    await start();
    const media = [1, 2, 3].map((n) => bufferSource(Buffer.alloc(1000 * n, n), 'image/jpeg'));
    const { ctx, inp } = setup({ media });
    await publishToEnd(linkedinAdapter, inp, ctx);
    const urns = [...sim.state.assets.values()].map((a) => a.urn);
    expect(urns).toHaveLength(3);
    expect(postBody().content).toEqual({ multiImage: { images: urns.map((id) => ({ id })) } });
  });

  it('uploads a 9 MiB video in three ranged parts, finalizes with the ETags in order and posts once AVAILABLE', async () => {
    await start({ videoPollsUntilAvailable: 2 });
    const video = generatedSource(9 * MiB, 'video/mp4');
    const { ctx, inp, state } = setup({ media: [video] });
    const out = await publishToEnd(linkedinAdapter, inp, ctx);
    expect(out.status).toBe('published');

    const puts = sim.server.callsTo('PUT', '/dms-uploads/*');
    expect(puts.map((c) => c.bytes)).toEqual([4 * MiB, 4 * MiB, 1 * MiB]);
    expect(puts.every((c) => c.headers['content-type'] === 'application/octet-stream')).toBe(true);
    const asset = [...sim.state.assets.values()][0]!;
    expect(asset.parts).toEqual([{ firstByte: 0, lastByte: 4 * MiB - 1 }, { firstByte: 4 * MiB, lastByte: 8 * MiB - 1 }, { firstByte: 8 * MiB, lastByte: 9 * MiB - 1 }]);
    const expected = await Promise.all(asset.parts.map((p) => md5Of(video, p.firstByte, p.lastByte)));
    expect(asset.finalizedWith).toEqual(expected);

    const polls = sim.server.callsTo('GET', '/rest/videos/*');
    expect(polls).toHaveLength(3); // PROCESSING, PROCESSING, AVAILABLE
    const post = sim.server.callsTo('POST', '/rest/posts')[0]!;
    expect(polls.at(-1)!.at).toBeLessThanOrEqual(post.at);
    expect(postBody().content).toEqual({ media: { id: asset.urn } });
    expect(state.progress.video).toBeNull();
    expect(state.progress.media).toEqual({ 0: { urn: asset.urn, kind: 'video', ready: true } });
  });

  it('reads the video in one pass, never more than one part ahead of what LinkedIn received', async () => {
    await start();
    const inner = generatedSource(10 * MiB, 'video/mp4');
    let streams = 0;
    let maxAhead = 0;
    const video: MediaSource = {
      ...inner,
      async *stream(from = 0) {
        streams++;
        let pulled = from;
        for await (const piece of inner.stream(from)) {
          pulled += piece.byteLength;
          const received = sim.server.callsTo('PUT', '/dms-uploads/*').reduce((n, c) => n + c.bytes, 0);
          maxAhead = Math.max(maxAhead, pulled - received);
          yield piece;
        }
      },
    };
    const { ctx, inp } = setup({ media: [video] });
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
    expect(streams).toBe(1);
    expect(maxAhead).toBeLessThanOrEqual(4 * MiB + 64 * 1024);
  });

  it('resumes a video upload after a crash from the next part, sending each part once', async () => {
    await start();
    const video = generatedSource(9 * MiB, 'video/mp4');
    const first = setup({ media: [crashingAfter(video, 5 * MiB)] });
    await expect(linkedinAdapter.publish(first.inp, first.ctx)).rejects.toThrow('worker crashed mid-upload');
    const saved = first.state.progress.video as { etags: string[] };
    expect(saved.etags).toHaveLength(1);

    const second = setup({ media: [video], state: first.state, demo: first.demo });
    const out = await publishToEnd(linkedinAdapter, { ...first.inp }, second.ctx);
    expect(out.status).toBe('published');
    const asset = [...sim.state.assets.values()][0]!;
    expect(sim.state.assets.size).toBe(1);
    expect(asset.partPuts).toEqual([1, 1, 1]);
    expect(sim.server.callsTo('POST', '/rest/videos').filter((c) => c.query.includes('initializeUpload'))).toHaveLength(1);
    expect(asset.finalizedWith).toEqual(await Promise.all(asset.parts.map((p) => md5Of(video, p.firstByte, p.lastByte))));
  });

  it('answers processing while LinkedIn processes a long video, then posts without re-uploading', async () => {
    await start({ videoPollsUntilAvailable: 7 });
    const { ctx, inp } = setup({ media: [generatedSource(5 * MiB, 'video/mp4')] });
    const firstRun = await linkedinAdapter.publish(inp, ctx);
    expect(firstRun).toMatchObject({ status: 'processing' });
    expect(sim.server.callsTo('POST', '/rest/posts')).toHaveLength(0);
    expect((await linkedinAdapter.publish(inp, ctx)).status).toBe('published');
    expect([...sim.state.assets.values()][0]!.partPuts).toEqual([1, 1]);
  });

  it('waits the grace period before posting a member image LinkedIn may still be processing (issue 9 item 4)', async () => {
    await start({ mediaProcessingMs: 300 });
    const { ctx, inp } = setup({ media: [bufferSource(Buffer.alloc(512, 3), 'image/png')], extra: { mediaGraceMs: '400' } });
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
    expect(sim.livePosts()).toHaveLength(1);
    // The member token may not read the image's status: asked once per run, answered 403.
    const reads = sim.server.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/rest/images/'));
    expect(reads.length).toBeGreaterThan(0);
  });

  it('polls a page\'s image and document until AVAILABLE before posting (issue 9 item 4)', async () => {
    await start({ mediaProcessingMs: 300 });
    for (const source of [bufferSource(Buffer.alloc(512, 4), 'image/jpeg'), bufferSource(Buffer.alloc(2048, 5), 'application/pdf')]) {
      const { ctx, inp } = setup({ organization: true, media: [source], extra: { mediaGraceMs: '0' } });
      const out = await publishToEnd(linkedinAdapter, inp, ctx);
      expect(out.status).toBe('published');
    }
    expect(sim.livePosts()).toHaveLength(2);
    for (const kind of ['images', 'documents']) {
      expect(sim.server.calls.filter((c) => c.method === 'GET' && c.path.startsWith(`/rest/${kind}/`)).length, kind).toBeGreaterThan(1);
    }
  });

  it('retries a post LinkedIn refused because its media is still processing (issue 9 item 4)', async () => {
    await start({ mediaProcessingMs: 60_000 });
    const { ctx, inp, state } = setup({ media: [bufferSource(Buffer.alloc(512, 6), 'image/png')], extra: { mediaGraceMs: '0' } });
    const err = await caught(publishToEnd(linkedinAdapter, inp, ctx));
    expect(err).toMatchObject({ kind: 'transient', code: 'linkedin.media_processing', platformStatus: 422 });
    expect(state.armed).toBeUndefined();
    expect(sim.state.posts).toHaveLength(0);
  });

  it('rejects a video LinkedIn fails to process', async () => {
    await start({ videoProcessingFails: true, videoPollsUntilAvailable: 0 });
    const { ctx, inp } = setup({ media: [generatedSource(MiB, 'video/mp4')] });
    const err = await caught(publishToEnd(linkedinAdapter, inp, ctx));
    expect(err).toMatchObject({ kind: 'rejected', code: 'linkedin.video_processing_failed' });
  });

  it('refuses to mix a video with other media', async () => {
    await start();
    const { ctx, inp } = setup({ media: [generatedSource(MiB, 'video/mp4'), bufferSource(Buffer.alloc(10), 'image/png')] });
    expect(await caught(linkedinAdapter.publish(inp, ctx))).toMatchObject({ kind: 'rejected', code: 'linkedin.media_combination' });
    expect(sim.server.calls).toHaveLength(0);
  });

  it('posts a document with a title from the file name, or from options.documentTitle', async () => {
    await start();
    const pdf = () => bufferSource(Buffer.from('%PDF-1.7 test'), 'application/pdf', 'https://media.example/files/Quarterly%20Report.pdf');
    const a = setup({ media: [pdf()] });
    await publishToEnd(linkedinAdapter, a.inp, a.ctx);
    const doc = [...sim.state.assets.values()][0]!;
    expect(doc.kind).toBe('document');
    expect(sim.server.callsTo('PUT', '/dms-uploads/*')[0]!.headers['content-type']).toBe('application/pdf');
    expect(postBody(0).content).toEqual({ media: { id: doc.urn, title: 'Quarterly Report' } });

    const b = setup({ media: [pdf()], options: { documentTitle: 'Q3 numbers' } });
    await publishToEnd(linkedinAdapter, b.inp, b.ctx);
    expect((postBody(1).content as { media: { title: string } }).media.title).toBe('Q3 numbers');
  });

  it('streams a document to LinkedIn instead of holding it in memory', async () => {
    await start();
    // Near the simulator's 64 MiB body limit, so whole-file buffering stands out from the
    // kernel's loopback socket buffers (a few MiB here, up to tcp_rmem max elsewhere).
    const size = 60 * MiB;
    const piece = Buffer.alloc(256 * 1024, 0x25);
    let maxAhead = 0;
    let pulled = 0;
    const doc: MediaSource = {
      ...bufferSource(Buffer.from('%PDF'), 'application/pdf', 'https://media.example/files/Big%20Deck.pdf'),
      size,
      async *stream() {
        for (let sent = 0; sent < size; sent += piece.byteLength) {
          pulled += piece.byteLength;
          maxAhead = Math.max(maxAhead, pulled - sim.server.bytesReceived());
          yield piece;
        }
      },
    };
    const { ctx, inp } = setup({ media: [doc] });
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
    expect(sim.server.callsTo('PUT', '/dms-uploads/*').map((c) => c.bytes)).toEqual([size]);
    // Held whole, the document is 60 MiB ahead before its first byte leaves.
    expect(maxAhead).toBeLessThan(size / 2);
  });

  it('rejects a duplicate post with linkedin.duplicate_post', async () => {
    await start();
    const a = setup({ text: 'same words twice' });
    await publishToEnd(linkedinAdapter, a.inp, a.ctx);
    const b = setup({ text: 'same words twice', demo: a.demo });
    const err = await caught(publishToEnd(linkedinAdapter, b.inp, b.ctx));
    expect(err).toMatchObject({ kind: 'rejected', code: 'linkedin.duplicate_post', platformStatus: 422 });
    expect(err.message).toContain(sim.state.posts[0]!.urn);
    expect(b.state.armed).toBeUndefined();
  });

  it('reconciles a lost answer: lookup finds the first URN, publish returns it without posting again', async () => {
    await start();
    const { ctx, inp, state } = setup();
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'drop_after_commit' } });
    expect((await caught(linkedinAdapter.publish(inp, ctx))).kind).toBe('unknown');
    expect(state.armed).toBe('post');
    const firstUrn = sim.state.posts[0]!.urn;

    expect(await linkedinAdapter.lookup!(inp, ctx, { label: 'post', at: new Date().toISOString() })).toEqual({ status: 'landed' });
    expect(state.progress.postUrn).toBe(firstUrn);
    const out = await linkedinAdapter.publish(inp, ctx);
    expect(out.status === 'published' && out.receipt.platformPostId).toBe(firstUrn);
    expect(sim.state.posts).toHaveLength(1);
    expect(sim.server.callsTo('POST', '/rest/posts')).toHaveLength(2); // the write and the lookup's duplicate probe
  });

  it('lookup lands the post exactly once when the first write never arrived', async () => {
    await start();
    const { ctx, inp, state } = setup();
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'drop_before' } });
    expect((await caught(linkedinAdapter.publish(inp, ctx))).kind).toBe('unknown');
    expect(sim.state.posts).toHaveLength(0);
    expect(await linkedinAdapter.lookup!(inp, ctx, { label: 'post', at: new Date().toISOString() })).toEqual({ status: 'landed' });
    expect(sim.state.posts).toHaveLength(1);
    expect(state.progress.postUrn).toBe(sim.state.posts[0]!.urn);
  });

  it('lookup is inconclusive when the probe proves nothing', async () => {
    await start();
    const { ctx, inp } = setup();
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', times: 2, fault: { type: 'status', status: 503, body: {} } });
    expect((await caught(linkedinAdapter.publish(inp, ctx))).kind).toBe('unknown');
    const res = await linkedinAdapter.lookup!(inp, ctx, { label: 'post', at: new Date().toISOString() });
    expect(res.status).toBe('inconclusive');
  });

  it('lookup never re-sends a media-only post: inconclusive, still one post (issue 7 item 1)', async () => {
    await start();
    const { ctx, inp, state } = setup({ text: '', media: [bufferSource(Buffer.alloc(2048, 7), 'image/png')] });
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'drop_after_commit' } });
    expect((await caught(publishToEnd(linkedinAdapter, inp, ctx))).kind).toBe('unknown');
    expect(state.armed).toBe('post');
    const res = await linkedinAdapter.lookup!(inp, ctx, { label: 'post', at: new Date().toISOString() });
    expect(res.status).toBe('inconclusive');
    expect(sim.state.posts).toHaveLength(1);
    expect(sim.server.callsTo('POST', '/rest/posts')).toHaveLength(1);
  });

  it('lookup does not re-send once the armed write is older than the duplicate probe allows (issue 7 item 1)', async () => {
    // LinkedIn's duplicate window has passed: a re-sent post would be published again.
    await start({ duplicateWindowMs: 0 });
    const { ctx, inp } = setup({ text: 'sent long ago' });
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'drop_after_commit' } });
    expect((await caught(linkedinAdapter.publish(inp, ctx))).kind).toBe('unknown');
    const at = new Date(Date.now() - 3600_000).toISOString();
    expect(3600_000).toBeGreaterThan(DUPLICATE_PROBE_MAX_AGE_MS);
    const res = await linkedinAdapter.lookup!(inp, ctx, { label: 'post', at });
    expect(res.status).toBe('inconclusive');
    expect(sim.state.posts).toHaveLength(1);
    expect(sim.server.callsTo('POST', '/rest/posts')).toHaveLength(1);
  });

  it('lookup reads back the URN LinkedIn names: a deleted ghost is inconclusive (issue 7 item 1)', async () => {
    await start();
    const { ctx, inp, state } = setup({ text: 'posted, then deleted' });
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'drop_after_commit' } });
    expect((await caught(linkedinAdapter.publish(inp, ctx))).kind).toBe('unknown');
    sim.state.posts[0]!.deleted = true;
    const res = await linkedinAdapter.lookup!(inp, ctx, { label: 'post', at: new Date().toISOString() });
    expect(res.status).toBe('inconclusive');
    expect(state.progress.postUrn).toBeUndefined();
    expect(sim.server.callsTo('GET', `/rest/posts/${encodeURIComponent(sim.state.posts[0]!.urn)}`).length + sim.server.callsTo('GET', `/rest/posts/${sim.state.posts[0]!.urn}`).length).toBe(1);
  });

  it('treats a duplicate after an ambiguous attempt as the earlier post landing', async () => {
    await start();
    const a = setup({ text: 'posted but the answer was lost' });
    await publishToEnd(linkedinAdapter, a.inp, a.ctx);
    const b = setup({ text: 'posted but the answer was lost', demo: a.demo, ambiguous: true });
    const out = await publishToEnd(linkedinAdapter, b.inp, b.ctx);
    expect(out.status === 'published' && out.receipt.platformPostId).toBe(sim.state.posts[0]!.urn);
    expect(sim.state.posts).toHaveLength(1);
  });

  it('maps the daily 429 to rate_limited, waiting minutes first, never past the next 00:00 UTC (issue 9 item 6)', async () => {
    await start({ dailyPostBudget: 1 });
    const a = setup();
    await publishToEnd(linkedinAdapter, a.inp, a.ctx);
    const b = setup({ demo: a.demo });
    const before = Date.now();
    const err = await caught(publishToEnd(linkedinAdapter, b.inp, b.ctx));
    expect(err).toMatchObject({ kind: 'rate_limited', code: 'linkedin.rate_limited', platformStatus: 429 });
    const midnight = nextUtcMidnight().getTime();
    expect(err.retryAt!.getTime()).toBe(Math.min(midnight, err.retryAt!.getTime()));
    expect(err.retryAt!.getTime() - before).toBeLessThanOrEqual(Math.min(midnight - before, 10 * 60_000) + 1_000);
    expect(b.state.armed).toBeUndefined();
  });

  it('backs off a short 429 throttle with growing waits capped at the next 00:00 UTC (issue 9 item 6)', async () => {
    await start();
    const { ctx, inp, state } = setup();
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      sim.throttleNext(1);
      const before = Date.now();
      const err = await caught(publishToEnd(linkedinAdapter, inp, ctx));
      expect(err).toMatchObject({ kind: 'rate_limited', code: 'linkedin.rate_limited', platformStatus: 429, scope: 'account' });
      expect(err.retryAt!.getTime()).toBeLessThanOrEqual(nextUtcMidnight().getTime());
      waits.push(err.retryAt!.getTime() - before);
    }
    expect(waits[0]).toBeGreaterThanOrEqual(Math.min(60_000, nextUtcMidnight().getTime() - Date.now() - 2_000));
    expect(waits[0]).toBeLessThanOrEqual(10 * 60_000 + 1_000);
    for (let i = 1; i < waits.length; i++) {
      // Each wait is longer than the one before (± clock), until the cap at midnight holds them level.
      const capped = Date.now() + waits[i]! >= nextUtcMidnight().getTime() - 2_000;
      if (!capped) expect(waits[i]!).toBeGreaterThan(waits[i - 1]! + 1_000);
    }
    expect(Date.now() + waits.at(-1)!).toBeGreaterThanOrEqual(nextUtcMidnight().getTime() - 2_000);
    expect(state.armed).toBeUndefined();
    sim.throttleNext(0);
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
  });

  it('maps 426 NONEXISTENT_VERSION to a platform pause telling the operator to upgrade LINKEDIN_API_VERSION (issue 9 item 3)', async () => {
    await start({ supportedVersions: ['202601'] });
    const { ctx, inp, state } = setup({ extra: { apiVersion: '202401' } });
    const err = await caught(publishToEnd(linkedinAdapter, inp, ctx));
    expect(err).toMatchObject({ kind: 'rate_limited', scope: 'platform', code: 'linkedin.version_retired', platformStatus: 426 });
    expect(AppConfigError.isAppConfig(err)).toBe(true);
    expect(err.message).toContain('upgrade LINKEDIN_API_VERSION');
    expect(err.message).toContain('202401');
    expect(state.armed).toBeUndefined();
  });

  it('simulator: refuses versions LinkedIn has sunset or not released yet (issue 9 item 3)', async () => {
    await start({ clock: () => new Date('2026-12-04T12:00:00Z') });
    const call = (version: string) => fetch(`${origin}/rest/posts/${encodeURIComponent('urn:li:share:1')}`, {
      headers: { authorization: 'Bearer nope', 'linkedin-version': version, 'x-restli-protocol-version': '2.0.0' },
    });
    expect((await call('202511')).status).toBe(426); // sunset on 2026-11-16
    expect((await call('202701')).status).toBe(426); // not released
    expect((await call('202601')).status).toBe(401); // served: on to the token check
    expect((await call('202611')).status).toBe(401);
  });

  it('sends a default version LinkedIn still serves after 202601 is sunset (issue 9 item 3)', async () => {
    await start({ clock: () => new Date('2027-02-01T00:00:00Z') });
    const { ctx, inp } = setup();
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
    expect(sim.server.callsTo('POST', '/rest/posts')[0]!.headers['linkedin-version']).toMatch(/^\d{6}$/);
  });

  it('states the version in use and its sunset, and warns within 60 days of it (issue 9 item 3)', () => {
    const status = linkedinAdapter.configStatus!;
    const now = new Date('2026-12-04T12:00:00Z');
    const pinned = status({ extra: { apiVersion: '202601' } }, now);
    expect(pinned.facts).toMatchObject({ apiVersion: '202601', apiVersionSunset: '2027-01-15' });
    expect(pinned.warnings.join()).toMatch(/202601 sunsets on 2027-01-15.*LINKEDIN_API_VERSION/);
    const byDefault = status({ extra: {} }, now);
    expect(byDefault.facts.apiVersion).toBe('202611');
    expect(byDefault.facts.apiVersionSunset).toMatch(/^2027-11-15/);
    expect(byDefault.warnings).toEqual([]);
    expect(status({ extra: { apiVersion: '202511' } }, now).warnings.join()).toMatch(/was sunset on 2026-11-16/);
  });

  it('maps an expired token to refreshable auth and a revoked one to reauth', async () => {
    await start();
    const a = setup();
    sim.expireAccessToken(a.demo.credentials.accessToken);
    expect(await caught(publishToEnd(linkedinAdapter, a.inp, a.ctx))).toMatchObject({ kind: 'auth', refreshable: true, platformCode: 'EXPIRED_ACCESS_TOKEN' });
    const b = setup();
    sim.revokeAccessToken(b.demo.credentials.accessToken);
    expect(await caught(publishToEnd(linkedinAdapter, b.inp, b.ctx))).toMatchObject({ kind: 'auth', refreshable: false, code: 'linkedin.token_revoked' });
  });

  it('refreshes with a partner refresh token, keeping its fixed expiry', async () => {
    await start();
    const demo = sim.createDemoAccount();
    sim.expireAccessToken(demo.credentials.accessToken);
    const fresh = await linkedinAdapter.refresh!(demo.credentials, refreshContext('linkedin', origin, OAUTH));
    expect(sim.state.refreshCount).toBe(1);
    expect(fresh.accessToken).not.toBe(demo.credentials.accessToken);
    expect(fresh.refreshToken).toBe(demo.credentials.refreshToken);
    expect(Math.abs(Date.parse(fresh.refreshTokenExpiresAt!) - Date.parse(demo.credentials.refreshTokenExpiresAt))).toBeLessThan(5_000);
    expect(Date.parse(fresh.expiresAt!) - Date.now()).toBeGreaterThan(59 * 86_400_000);
    const { ctx, inp } = setup({ demo, credentials: fresh });
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
  });

  it('asks for reauth without a refresh token or with a dead one', async () => {
    await start();
    const rctx = refreshContext('linkedin', origin, OAUTH);
    const none = await caught(linkedinAdapter.refresh!({ accessToken: 'x' }, rctx));
    expect(none).toMatchObject({ kind: 'auth', refreshable: false, code: 'linkedin.no_refresh_token' });
    expect(none.message).toContain('approved partners');
    expect(sim.server.calls).toHaveLength(0);
    const dead = await caught(linkedinAdapter.refresh!({ accessToken: 'x', refreshToken: 'AQX_dead' }, rctx));
    expect(dead).toMatchObject({ kind: 'auth', refreshable: false, code: 'linkedin.refresh_token_invalid', platformCode: 'invalid_grant' });
  });

  it('connects through OAuth: authorize redirect, code exchange and /v2/userinfo', async () => {
    await start(OAUTH);
    const redirectUri = 'https://herald.example/v1/connect/linkedin/callback';
    const flow = linkedinAdapter.oauth!;
    expect(flow.pkce).toBe(false);
    const url = flow.authorizeUrl({ clientId: OAUTH.clientId, redirectUri, state: 'st-8' }, (u) => rewriteUrl(u, origin));
    expect(url).toBe(`${origin}/oauth/v2/authorization?response_type=code&client_id=li-client&redirect_uri=${encodeURIComponent(redirectUri)}&state=st-8&scope=openid%20profile%20w_member_social`);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-8');
    const id = await flow.exchange({ code: back.searchParams.get('code')!, redirectUri }, refreshContext('linkedin', origin, OAUTH));
    const member = [...sim.state.members.values()][0]!;
    expect(id.externalId).toBe(`urn:li:person:${member.id}`);
    expect(id.handle).toBe(member.name);
    expect(id.credentials.refreshToken).toBeDefined();
    const token = sim.server.callsTo('POST', '/oauth/v2/accessToken')[0]!;
    expect(token.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);

    const { ctx, inp } = setup({ credentials: id.credentials, demo: { externalId: id.externalId, handle: id.handle!, credentials: id.credentials as Demo['credentials'], settings: {} } });
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
  });

  it('posts the first comment as the author, and records a failed one without failing the delivery', async () => {
    await start();
    const a = setup({ options: { firstComment: 'Link in here: https://example.com (really)' } });
    const out = await publishToEnd(linkedinAdapter, a.inp, a.ctx);
    const post = sim.state.posts[0]!;
    expect(post.comments).toEqual([{ urn: expect.stringContaining(post.urn), actor: a.demo.externalId, text: 'Link in here: https://example.com (really)' }]);
    expect(out.status === 'published' && out.receipt.details?.firstComment).toMatchObject({ state: 'posted' });
    expect(sim.server.callsTo('POST', '/rest/socialActions/*')[0]!.path).toBe(`/rest/socialActions/${encodeURIComponent(post.urn)}/comments`);

    const b = setup({ options: { firstComment: 'this one fails' } });
    sim.server.injectFault({ method: 'POST', path: '/rest/socialActions/*', fault: { type: 'status', status: 500, body: {} } });
    const failed = await publishToEnd(linkedinAdapter, b.inp, b.ctx);
    expect(failed.status).toBe('published');
    expect(failed.status === 'published' && failed.receipt.details?.firstComment).toMatchObject({ state: 'failed', status: 500 });
    expect(await linkedinAdapter.publish(b.inp, b.ctx)).toMatchObject({ status: 'published' });
    expect(sim.server.callsTo('POST', '/rest/socialActions/*')).toHaveLength(2);
  });

  it('validates options, empty posts and the author URN', async () => {
    await start();
    expect(targetIssues(linkedinAdapter, { text: 'hi', media: [], options: { visibility: 'FRIENDS' } })[0]).toMatchObject({ field: 'options.visibility' });
    expect(targetIssues(linkedinAdapter, { text: ' ', media: [], options: {} })[0]).toMatchObject({ code: 'linkedin.empty_post' });
    expect(targetIssues(linkedinAdapter, { text: 'ok', media: [], options: {} })).toEqual([]);
    const { ctx, inp } = setup();
    const bad = { ...inp, account: { ...inp.account, externalId: '12345' } };
    expect(await caught(linkedinAdapter.publish(bad, ctx))).toMatchObject({ kind: 'rejected', code: 'linkedin.invalid_author' });
  });

  it('classifies a refused connection to a closed port as transient, even for the write', async () => {
    await start();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((r) => closed.close(() => r()));
    const { inp, demo } = setup();
    const { ctx } = makeContext({ adapter: linkedinAdapter, baseUrl: `http://127.0.0.1:${port}`, credentials: demo.credentials });
    expect(await caught(linkedinAdapter.publish(inp, ctx))).toMatchObject({ kind: 'transient' });
  });

  it('treats upload failures as transient and resumes without repeating finished parts', async () => {
    await start();
    const video = generatedSource(9 * MiB, 'video/mp4');
    const { ctx, inp, state } = setup({ media: [video] });
    sim.server.injectFault({ method: 'PUT', path: '/dms-uploads/*', fault: { type: 'drop_before' } });
    expect(await caught(linkedinAdapter.publish(inp, ctx))).toMatchObject({ kind: 'transient' });
    sim.server.injectFault({ method: 'PUT', path: '/dms-uploads/*', fault: { type: 'status', status: 503, body: {} } });
    expect(await caught(linkedinAdapter.publish(inp, ctx))).toMatchObject({ kind: 'transient', code: 'linkedin.server_error' });
    expect(state.armed).toBeUndefined();
    expect((await publishToEnd(linkedinAdapter, inp, ctx)).status).toBe('published');
    expect([...sim.state.assets.values()].map((a) => a.partPuts)).toEqual([[1, 1, 1]]);
  });

  it('starts a new video upload when LinkedIn says the upload URLs expired', async () => {
    await start({ uploadUrlTtlMs: 0 });
    const { ctx, inp, state } = setup({ media: [generatedSource(MiB, 'video/mp4')] });
    expect(await caught(linkedinAdapter.publish(inp, ctx))).toMatchObject({ kind: 'transient', code: 'linkedin.upload_url_expired' });
    expect(state.progress.video).toBeNull();
  });

  it('maps 403 and validation refusals on the post to rejected', async () => {
    await start();
    const a = setup();
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'status', status: 403, body: { serviceErrorCode: 100, message: 'Not enough permissions to access: partnerApiPostsExternal.CREATE', status: 403 } } });
    expect(await caught(linkedinAdapter.publish(a.inp, a.ctx))).toMatchObject({ kind: 'rejected', code: 'linkedin.forbidden', platformStatus: 403 });
    const b = setup();
    sim.server.injectFault({ method: 'POST', path: '/rest/posts', fault: { type: 'status', status: 422, body: { message: 'ERROR :: /author :: field is required but not found and has no default value', status: 422 } } });
    expect(await caught(linkedinAdapter.publish(b.inp, b.ctx))).toMatchObject({ kind: 'rejected', code: 'linkedin.invalid_request' });
  });

  it('simulator: refuses /rest calls without both versioning headers or with an unknown version', async () => {
    await start();
    const demo = sim.createDemoAccount();
    const call = (headers: Record<string, string>) => fetch(`${origin}/rest/posts`, { method: 'POST', headers: { authorization: `Bearer ${demo.credentials.accessToken}`, 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await call({ 'x-restli-protocol-version': '2.0.0' })).status).toBe(400);
    expect((await call({ 'linkedin-version': '202601' })).status).toBe(400);
    const old = await call({ 'linkedin-version': '202001', 'x-restli-protocol-version': '2.0.0' });
    expect(old.status).toBe(426);
    expect(await old.json()).toMatchObject({ code: 'NONEXISTENT_VERSION' });
    const ok = await call({ 'linkedin-version': '202601', 'x-restli-protocol-version': '2.0.0' });
    expect(ok.status).toBe(422);
  });
});
