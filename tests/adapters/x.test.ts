import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { xAdapter } from '../../adapters/x/index.ts';
import { createXSimulator, type XSimulator, type XSimulatorOptions } from '../../adapters/x/simulator.ts';
import { rewriteUrl } from '../../src/platform/http.ts';
import { bufferSource, generatedSource, type MediaSource } from '../../src/platform/media.ts';
import type { PublishInput } from '../../src/platform/port.ts';
import { targetIssues } from '../../src/platform/define.ts';
import { TIMELINE_SETTLED_MS } from '../../adapters/x/publish.ts';
import { input, makeContext, newState, publishToEnd, refreshContext, type HarnessState, caught } from '../helpers/adapter-harness.ts';

const MiB = 1024 * 1024;
const SETTINGS = { clientId: 'herald-test-client' };


describe('X adapter against its simulator', () => {
  let sim: XSimulator;
  let origin: string;

  async function start(opts?: XSimulatorOptions) {
    sim = createXSimulator(opts);
    origin = await sim.server.start();
  }
  afterEach(async () => {
    await sim?.server.stop();
  });

  function setup(o: {
    text?: string; options?: Record<string, unknown>; media?: MediaSource[]; state?: HarnessState;
    ambiguous?: boolean; demo?: ReturnType<XSimulator['createDemoAccount']>; handle?: string | null; files?: Record<string, MediaSource>;
  } = {}) {
    const demo = o.demo ?? sim.createDemoAccount();
    const media = o.media ?? [];
    const { ctx, state } = makeContext({
      adapter: xAdapter, baseUrl: origin, credentials: demo.credentials, media, state: o.state, previousAttemptAmbiguous: o.ambiguous, settings: SETTINGS,
    });
    // Thread-item media arrive as { index: -1, url }: serve them from `files` like the worker would.
    ctx.openMedia = async (ref) => (ref.index >= 0 ? media[ref.index]! : o.files![ref.url!]!);
    const inp: PublishInput = input({
      text: o.text ?? `hello from Herald ${Math.random().toString(36).slice(2, 8)}`,
      options: o.options ?? {},
      media: media.map((_, index) => ({ index })),
      account: { id: 'acc_x', externalId: demo.externalId, handle: o.handle === null ? undefined : demo.handle, settings: {} },
    });
    return { ctx, state, inp, demo };
  }

  it('posts text and returns the post id and public URL', async () => {
    await start();
    const { ctx, inp, demo, state } = setup({ text: 'Hello, X! 你好 👋 https://example.com/launch' });
    const out = await publishToEnd(xAdapter, inp, ctx);
    expect(out.status).toBe('published');
    if (out.status !== 'published') return;
    const [tweet] = sim.state.tweets;
    expect(tweet).toMatchObject({ text: 'Hello, X! 你好 👋 https://example.com/launch', authorId: demo.externalId, mediaIds: [] });
    expect(out.receipt.platformPostId).toBe(tweet!.id);
    expect(out.receipt.url).toBe(`https://x.com/${demo.handle}/status/${tweet!.id}`);
    expect(state.arms.map((a) => a.label)).toEqual(['tweet:0']);
    expect(state.progress.tweetIds).toEqual([tweet!.id]);
  });

  it('falls back to the i/web URL when the account has no handle', async () => {
    await start();
    const { ctx, inp } = setup({ handle: null });
    const out = await publishToEnd(xAdapter, inp, ctx);
    expect(out.status === 'published' && out.receipt.url).toMatch(/^https:\/\/x\.com\/i\/web\/status\/\d+$/);
  });

  it('posts a thread as a reply chain with reply settings and per-item media', async () => {
    await start();
    const files = { 'https://cdn.example/chart.png': bufferSource(randomBytes(50_000), 'image/png') };
    const { ctx, inp, state } = setup({
      text: 'Thread start 🧵',
      files,
      options: {
        replySettings: 'following',
        thread: [{ text: 'Second post', media: [{ url: 'https://cdn.example/chart.png', altText: 'A bar chart' }] }, { text: 'Third post' }],
      },
    });
    const out = await publishToEnd(xAdapter, inp, ctx);
    const [a, b, c] = sim.state.tweets;
    expect(sim.state.tweets).toHaveLength(3);
    expect(a).toMatchObject({ text: 'Thread start 🧵', replySettings: 'following' });
    expect(a!.replyTo).toBeUndefined();
    expect(b).toMatchObject({ text: 'Second post', replyTo: a!.id, replySettings: 'following' });
    expect(b!.mediaIds).toHaveLength(1);
    expect(sim.state.media.get(b!.mediaIds[0]!)?.altText).toBe('A bar chart');
    expect(c).toMatchObject({ text: 'Third post', replyTo: b!.id });
    expect(out.status === 'published' && out.receipt).toMatchObject({ platformPostId: a!.id, details: { tweetIds: [a!.id, b!.id, c!.id] } });
    expect(state.arms.map((x) => x.label)).toEqual(['tweet:0', 'tweet:1', 'tweet:2']);
  });

  it('resumes a thread after a crash and posts only the remaining items', async () => {
    await start();
    const options = { thread: [{ text: 'part 2' }, { text: 'part 3' }] };
    const first = setup({ text: 'part 1', options });
    // The worker dies as it is about to send the third post.
    const armWrite = first.ctx.armWrite.bind(first.ctx);
    first.ctx.armWrite = async (label) => {
      if (label === 'tweet:2') throw new Error('worker crashed');
      await armWrite(label);
    };
    await expect(xAdapter.publish(first.inp, first.ctx)).rejects.toThrow('worker crashed');
    expect(sim.state.tweets).toHaveLength(2);

    const { ctx } = makeContext({ adapter: xAdapter, baseUrl: origin, credentials: first.demo.credentials, state: first.state, settings: SETTINGS });
    const before = sim.server.callsTo('POST', '/2/tweets').length;
    const out = await publishToEnd(xAdapter, first.inp, ctx);
    expect(sim.server.callsTo('POST', '/2/tweets').length - before).toBe(1);
    expect(sim.state.tweets.map((t) => t.text)).toEqual(['part 1', 'part 2', 'part 3']);
    expect(sim.state.tweets[2]!.replyTo).toBe(sim.state.tweets[1]!.id);
    expect(out.status === 'published' && out.receipt.platformPostId).toBe(sim.state.tweets[0]!.id);
  });

  it('reconciles a thread item whose answer was lost: lookup finds it, the re-run posts only the rest', async () => {
    await start();
    const options = { thread: [{ text: 'Read https://example.com/part-two & enjoy' }, { text: 'the end' }] };
    const { ctx, inp, state, demo } = setup({ text: 'the beginning', options });
    const saveProgress = ctx.saveProgress.bind(ctx);
    ctx.saveProgress = async (patch) => {
      await saveProgress(patch);
      // After the first post is saved, the connection drops once the second one is committed.
      if ((patch.tweetIds as string[] | undefined)?.length === 1) {
        sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'drop_after_commit' } });
      }
    };
    const err = await caught(xAdapter.publish(inp, ctx));
    expect(err.kind).toBe('unknown');
    expect(state.armed).toBe('tweet:1');

    const again = makeContext({ adapter: xAdapter, baseUrl: origin, credentials: demo.credentials, state, settings: SETTINGS });
    expect(await xAdapter.lookup!(inp, again.ctx, { label: 'tweet:1', at: new Date().toISOString() })).toEqual({ status: 'landed' });
    expect(state.progress.tweetIds).toEqual(sim.state.tweets.map((t) => t.id));
    const out = await publishToEnd(xAdapter, inp, again.ctx);
    expect(out.status).toBe('published');
    expect(sim.state.tweets.map((t) => t.text)).toEqual(['the beginning', options.thread[0]!.text, 'the end']);
  });

  it('lookup says inconclusive when the armed post is not on the timeline', async () => {
    await start();
    const { ctx, inp } = setup();
    const res = await xAdapter.lookup!(inp, ctx, { label: 'tweet:0', at: new Date().toISOString() });
    expect(res.status).toBe('inconclusive');
    expect(sim.server.callsTo('GET', `/2/users/${inp.account.externalId}/tweets`)).toHaveLength(1);
  });

  it('lookup says absent when the armed post is still not on the timeline once it has settled', async () => {
    await start();
    const { ctx, inp } = setup();
    const at = new Date(Date.now() - TIMELINE_SETTLED_MS).toISOString();
    expect(await xAdapter.lookup!(inp, ctx, { label: 'tweet:0', at })).toEqual({ status: 'absent' });
  });

  it('uploads an image through initialize / append / finalize with alt text', async () => {
    await start();
    const image = { ...bufferSource(randomBytes(300_000), 'image/jpeg'), altText: 'Sunset over the bay' };
    const { ctx, inp, state } = setup({ media: [image] });
    const out = await publishToEnd(xAdapter, inp, ctx);
    expect(out.status).toBe('published');
    const [media] = [...sim.state.media.values()];
    expect(media).toMatchObject({ kind: 'image', finalized: true, totalBytes: 300_000, receivedBytes: 300_000, altText: 'Sunset over the bay' });
    expect(sim.state.tweets[0]!.mediaIds).toEqual([media!.id]);
    expect(sim.server.callsTo('GET', '/2/media/upload')).toHaveLength(0);
    expect(state.progress.mediaIds).toEqual({ '0:0': expect.objectContaining({ id: media!.id, ready: true }) });
  });

  it('uploads a 3.5 MiB video in four ordered 1 MiB segments and polls STATUS until succeeded', async () => {
    await start({ statusPollsUntilReady: 3 });
    const { ctx, inp } = setup({ media: [generatedSource(3.5 * MiB, 'video/mp4')] });
    const out = await publishToEnd(xAdapter, inp, ctx);
    expect(out.status).toBe('published');
    const [video] = [...sim.state.media.values()];
    expect(video!.segmentSizes).toEqual([MiB, MiB, MiB, MiB / 2]);
    expect(video!.state).toBe('succeeded');
    expect(sim.server.callsTo('POST', `/2/media/upload/${video!.id}/append`)).toHaveLength(4);
    expect(sim.server.callsTo('GET', '/2/media/upload')).toHaveLength(3);
    expect(sim.state.tweets[0]!.mediaIds).toEqual([video!.id]);
  });

  it('hands back `processing` when X needs longer than a minute, then resumes without re-uploading', async () => {
    await start({ statusPollsUntilReady: 4, checkAfterSecs: 30 });
    const { ctx, inp } = setup({ media: [generatedSource(200_000, 'image/gif')] });
    const first = await xAdapter.publish(inp, ctx);
    expect(first).toEqual({ status: 'processing', checkAfterMs: 30_000, note: expect.any(String) });
    expect(sim.state.tweets).toHaveLength(0);
    const out = await publishToEnd(xAdapter, inp, ctx);
    expect(out.status).toBe('published');
    expect(sim.server.callsTo('POST', '/2/media/upload/initialize')).toHaveLength(1);
    expect(sim.server.callsTo('GET', '/2/media/upload')).toHaveLength(4);
  });

  it('reuses finalized media on retry instead of uploading again', async () => {
    await start();
    const { ctx, inp, state } = setup({ media: [bufferSource(randomBytes(10_000), 'image/png'), bufferSource(randomBytes(10_000), 'image/webp')] });
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'status', status: 503, body: { title: 'Service Unavailable' } } });
    expect((await caught(publishToEnd(xAdapter, inp, ctx))).kind).toBe('unknown');
    expect(state.progress.mediaIds).toHaveProperty('0:1');
    await publishToEnd(xAdapter, inp, ctx);
    expect(sim.server.callsTo('POST', '/2/media/upload/initialize')).toHaveLength(2);
    expect(sim.state.tweets[0]!.mediaIds).toHaveLength(2);
  });

  it('rejects a forbidden media combination before uploading anything', async () => {
    await start();
    const { ctx, inp } = setup({ media: [bufferSource(randomBytes(1000), 'image/png'), generatedSource(2000, 'video/mp4')] });
    const err = await caught(publishToEnd(xAdapter, inp, ctx));
    expect(err).toMatchObject({ kind: 'rejected', code: 'x.media_combination' });
    expect(sim.server.callsTo('POST', '/2/media/upload/initialize')).toHaveLength(0);
  });

  it('rejects media over X\'s size limit with the numbers in the message', async () => {
    await start();
    const { ctx, inp } = setup({ media: [generatedSource(6 * MiB, 'image/png')] });
    const err = await caught(publishToEnd(xAdapter, inp, ctx));
    expect(err).toMatchObject({ kind: 'rejected', code: 'x.media_too_large' });
    expect(err.message).toContain('5 MB');
  });

  it('turns failed media processing into a rejection', async () => {
    await start();
    sim.state.failNextProcessing = true;
    const { ctx, inp } = setup({ media: [generatedSource(100_000, 'video/mp4')] });
    expect(await caught(publishToEnd(xAdapter, inp, ctx))).toMatchObject({ kind: 'rejected', code: 'x.media_processing_failed' });
  });

  it('rejects duplicate content and disarms the write', async () => {
    await start();
    const demo = sim.createDemoAccount();
    const first = setup({ demo, text: 'same words' });
    await publishToEnd(xAdapter, first.inp, first.ctx);
    const second = setup({ demo, text: 'same words' });
    const err = await caught(publishToEnd(xAdapter, second.inp, second.ctx));
    expect(err).toMatchObject({ kind: 'rejected', code: 'x.duplicate_content', platformStatus: 403 });
    expect(err.message).toMatch(/duplicate/);
    expect(second.state.armed).toBeUndefined();
  });

  it('treats a duplicate after an ambiguous attempt as landed when the timeline shows the post', async () => {
    await start();
    const { ctx, inp, state, demo } = setup({ text: 'Launch day! https://example.com/launch' });
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'drop_after_commit' } });
    expect((await caught(publishToEnd(xAdapter, inp, ctx))).kind).toBe('unknown');
    const rerun = makeContext({ adapter: xAdapter, baseUrl: origin, credentials: demo.credentials, state, previousAttemptAmbiguous: true, settings: SETTINGS });
    const out = await publishToEnd(xAdapter, inp, rerun.ctx);
    expect(sim.state.tweets).toHaveLength(1);
    expect(out.status === 'published' && out.receipt.platformPostId).toBe(sim.state.tweets[0]!.id);
  });

  it('reports unknown when X says duplicate after an ambiguous attempt but the post is not found', async () => {
    let clock = Date.now() - 60 * 60 * 1000;
    await start({ now: () => clock });
    const old = setup({ text: 'posted an hour ago' });
    await publishToEnd(xAdapter, old.inp, old.ctx);
    clock = Date.now();
    // Same text, same account, a new delivery whose earlier attempt was ambiguous: the only match is too old.
    const again = makeContext({ adapter: xAdapter, baseUrl: origin, credentials: old.demo.credentials, state: newState(), previousAttemptAmbiguous: true, settings: SETTINGS });
    const err = await caught(publishToEnd(xAdapter, { ...old.inp, deliveryId: 'dlv_other', scheduledAt: new Date().toISOString() }, again.ctx));
    expect(err).toMatchObject({ kind: 'unknown', code: 'x.duplicate_after_unknown' });
  });

  it('maps a 429 to rate_limited at the x-rate-limit-reset time', async () => {
    await start();
    const reset = Math.floor(Date.now() / 1000) + 600;
    sim.server.injectFault({
      method: 'POST', path: '/2/tweets',
      fault: { type: 'status', status: 429, headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) }, body: { title: 'Too Many Requests', status: 429 } },
    });
    const { ctx, inp, state } = setup();
    const err = await caught(publishToEnd(xAdapter, inp, ctx));
    expect(err).toMatchObject({ kind: 'rate_limited', scope: 'account' });
    expect(err.retryAt!.getTime()).toBe(reset * 1000);
    expect(state.armed).toBeUndefined();
  });

  it('enforces the per-user 15-minute budget with a reset header', async () => {
    await start({ postsPer15Min: 1 });
    const demo = sim.createDemoAccount();
    const a = setup({ demo });
    await publishToEnd(xAdapter, a.inp, a.ctx);
    const b = setup({ demo });
    const err = await caught(publishToEnd(xAdapter, b.inp, b.ctx));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAt!.getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);
    expect(err.retryAt!.getTime()).toBeLessThanOrEqual(Date.now() + 15 * 60 * 1000 + 1000);
  });

  it('maps usage-capped to a platform-wide rate limit', async () => {
    await start();
    sim.state.usageCapped = true;
    const { ctx, inp } = setup();
    expect(await caught(publishToEnd(xAdapter, inp, ctx))).toMatchObject({ kind: 'rate_limited', scope: 'platform', code: 'x.usage_capped' });
  });

  it('treats a 5xx on POST /2/tweets as unknown and keeps the write armed', async () => {
    await start();
    sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'status', status: 500, body: { title: 'Internal Server Error' } } });
    const { ctx, inp, state } = setup();
    expect(await caught(publishToEnd(xAdapter, inp, ctx))).toMatchObject({ kind: 'unknown', code: 'x.server_error' });
    expect(state.armed).toBe('tweet:0');
  });

  it('treats a 5xx on append as transient (nothing is public before the post)', async () => {
    await start();
    // The first media id the simulator hands out.
    sim.server.injectFault({ method: 'POST', path: '/2/media/upload/1912090619981471745/append', fault: { type: 'status', status: 503, body: {} } });
    const { ctx, inp, state } = setup({ media: [generatedSource(1.5 * MiB, 'video/mp4')] });
    expect(await caught(publishToEnd(xAdapter, inp, ctx))).toMatchObject({ kind: 'transient', code: 'x.server_error' });
    expect(state.arms).toHaveLength(0);
  });

  it('says auth (refreshable) for an expired token, and posts again after a refresh', async () => {
    await start();
    const { ctx, inp, demo } = setup();
    sim.expireAllAccessTokens();
    expect(await caught(publishToEnd(xAdapter, inp, ctx))).toMatchObject({ kind: 'auth', refreshable: true });
    const fresh = await xAdapter.refresh!(demo.credentials, refreshContext('x', origin, SETTINGS));
    const retry = makeContext({ adapter: xAdapter, baseUrl: origin, credentials: fresh, settings: SETTINGS });
    expect((await publishToEnd(xAdapter, inp, retry.ctx)).status).toBe('published');
  });

  it('rotates refresh tokens: the old one then fails with auth not refreshable', async () => {
    await start();
    const demo = sim.createDemoAccount();
    const rctx = refreshContext('x', origin, SETTINGS);
    const fresh = await xAdapter.refresh!(demo.credentials, rctx);
    expect(fresh.refreshToken).toBeTruthy();
    expect(fresh.refreshToken).not.toBe(demo.credentials.refreshToken);
    expect(fresh.accessToken).not.toBe(demo.credentials.accessToken);
    expect(Date.parse(fresh.expiresAt!) - Date.now()).toBeGreaterThan(7100 * 1000);
    expect(sim.state.refreshCount).toBe(1);
    const err = await caught(xAdapter.refresh!(demo.credentials, rctx));
    expect(err).toMatchObject({ kind: 'auth', refreshable: false, code: 'x.refresh_token_invalid', platformStatus: 400 });
    expect((await xAdapter.refresh!(fresh, rctx)).refreshToken).toBeTruthy();
    expect(sim.state.refreshCount).toBe(2);
  });

  it('authenticates a confidential client with Basic and a public one with client_id', async () => {
    await start();
    const demo = sim.createDemoAccount();
    await xAdapter.refresh!(demo.credentials, refreshContext('x', origin, { clientId: 'cid', clientSecret: 'secret' }));
    const [call] = sim.server.callsTo('POST', '/2/oauth2/token');
    expect(call!.headers.authorization).toBe(`Basic ${Buffer.from('cid:secret').toString('base64')}`);
  });

  it('connects an account with OAuth 2.0 + PKCE against the simulator', async () => {
    let clock = Date.now();
    await start({ now: () => clock });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'https://herald.example/v1/connect/x/callback';
    const raw = xAdapter.oauth!.authorizeUrl({ clientId: 'cid', redirectUri, state: 'st4te', codeChallenge: challenge }, (u) => u);
    const url = new URL(raw);
    expect(`${url.origin}${url.pathname}`).toBe('https://x.com/i/oauth2/authorize');
    expect(raw).toContain('scope=tweet.read%20tweet.write%20users.read%20media.write%20offline.access');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code', client_id: 'cid', redirect_uri: redirectUri, state: 'st4te', code_challenge: challenge, code_challenge_method: 'S256',
    });
    const authorize = async () => {
      const res = await fetch(xAdapter.oauth!.authorizeUrl({ clientId: 'cid', redirectUri, state: 'st4te', codeChallenge: challenge }, (u) => rewriteUrl(u, origin)), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('state')).toBe('st4te');
      return location.searchParams.get('code')!;
    };
    const rctx = refreshContext('x', origin, { clientId: 'cid' });
    const code = await authorize();
    const identity = await xAdapter.oauth!.exchange({ code, redirectUri, codeVerifier: verifier }, rctx);
    expect(identity.handle).toMatch(/^herald_demo_\d+$/);
    expect(sim.state.users.get(identity.externalId)?.username).toBe(identity.handle);
    expect(identity.credentials.refreshToken).toBeTruthy();
    // Codes are single-use, need the right verifier and expire after 30 seconds.
    expect(await caught(xAdapter.oauth!.exchange({ code, redirectUri, codeVerifier: verifier }, rctx))).toMatchObject({ kind: 'auth', code: 'x.authorization_code_invalid' });
    expect(await caught(xAdapter.oauth!.exchange({ code: await authorize(), redirectUri, codeVerifier: 'wrong' }, rctx))).toMatchObject({ code: 'x.authorization_code_invalid' });
    const late = await authorize();
    clock += 31_000;
    expect(await caught(xAdapter.oauth!.exchange({ code: late, redirectUri, codeVerifier: verifier }, rctx))).toMatchObject({ code: 'x.authorization_code_invalid' });
    const { ctx, inp } = setup({ demo: { externalId: identity.externalId, handle: identity.handle, credentials: identity.credentials } });
    expect((await publishToEnd(xAdapter, inp, ctx)).status).toBe('published');
  });

  it('validate() reports X rules with field paths', () => {
    const v = (text: string, options: unknown = {}, media: PublishInput['media'] = []) => targetIssues(xAdapter, { text, media, options });
    expect(v('fine')).toEqual([]);
    // The post's own text is measured once, by the manifest's count (validate.ts), not again here.
    expect(v('x'.repeat(281))).toEqual([]);
    expect(v('ok', { thread: [{ text: 'の'.repeat(141) }] })[0]?.message).toContain('282 characters');
    expect(v('ok', { thread: [{ text: 'あ.'.repeat(150_000) }] })[0]?.message).toContain('at least');
    expect(v('', {})).toEqual([expect.objectContaining({ field: 'text', code: 'text_required' })]);
    expect(v('', {}, [{ index: 0 }])).toEqual([]);
    expect(v('hi', {}, [0, 1, 2, 3, 4].map((index) => ({ index })))).toEqual([expect.objectContaining({ code: 'too_many_media' })]);
    expect(v('ok', { thread: [{ text: 'a' }, { text: 'b' }, { text: 'y'.repeat(300) }] }))
      .toEqual([expect.objectContaining({ field: 'options.thread.2.text', code: 'text_too_long' })]);
    expect(v('ok', { thread: [{ text: '  ' }] })).toEqual([expect.objectContaining({ field: 'options.thread.0.text', code: 'text_required' })]);
    expect(v('ok', { thread: [{ text: 'pics', media: [{ url: 'https://c.example/a.gif' }, { url: 'https://c.example/b.png' }] }] }))
      .toEqual([expect.objectContaining({ field: 'options.thread.0.media', code: 'media_combination' })]);
    expect(v('ok', { replySettings: 'everyone' })).toEqual([expect.objectContaining({ field: 'options.replySettings', code: 'invalid_option' })]);
    expect(v('ok', { thread: Array.from({ length: 26 }, () => ({ text: 't' })) })[0]).toMatchObject({ field: 'options.thread' });
    expect(v('bad \uFFFF char')).toEqual([expect.objectContaining({ code: 'text_invalid_characters' })]);
  });
});
