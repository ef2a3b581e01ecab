import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { youtubeAdapter, youtubeManifest } from '../../adapters/youtube/index.ts';
import { createYouTubeSimulator, type YouTubeSimOptions, type YouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import { countTagCharacters } from '../../adapters/youtube/validate.ts';
import { targetIssues } from '../../src/platform/define.ts';
import { nextPacificMidnight } from '../../src/platform/errors.ts';
import { generatedSource, type MediaSource } from '../../src/platform/media.ts';
import type { Credentials, PublishInput } from '../../src/platform/port.ts';
import { input, makeContext, newState, refreshContext, type HarnessState, caught } from '../helpers/adapter-harness.ts';

const MiB = 1024 * 1024;
const UPLOAD_PATH = '/upload/youtube/v3/videos';
const settings = { clientId: 'sim-client', clientSecret: 'sim-secret' };

// First in the file, so the baseline is not inflated by the other uploads.
describe('youtube streaming memory', () => {
  it('pushes a 256 MiB video through with bounded memory', { timeout: 180_000 }, async () => {
    const sim = createYouTubeSimulator();
    const origin = await sim.server.start();
    const demo = sim.createDemoAccount();
    const upload = async (size: number) => {
      const media = generatedSource(size, 'video/mp4');
      const { ctx } = makeContext({ adapter: youtubeAdapter, baseUrl: origin, credentials: demo.credentials, media: [media] });
      const inp = input({ options: { title: 'big' }, media: [{ index: 0 }], account: { id: 'a', externalId: demo.externalId, settings: {} } });
      return youtubeAdapter.publish(inp, ctx);
    };
    try {
      // Warm-up: the first upload in a process grows V8's external-memory limit and malloc
      // arenas once (~110-150 MB of not-yet-collected 8 MiB chunk garbage, whatever the file
      // size); measured steady state is ~15-30 MB for 64, 256 and 512 MiB alike.
      await upload(48 * MiB);
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const timer = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const out = await upload(256 * MiB);
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(out.status).toBe('published');
      expect([...sim.state.videos.values()].map((v) => v.bytes)).toEqual([48 * MiB, 256 * MiB]);
      const growthMb = (peak - baseline) / MiB;
      console.info(`youtube 256 MiB upload: rss growth ${growthMb.toFixed(1)} MB`);
      // Buffering the file anywhere would add at least 256 MiB here.
      expect(growthMb).toBeLessThan(100);
    } finally {
      await sim.server.stop();
    }
  });
});

async function sha256Of(source: MediaSource): Promise<string> {
  const h = createHash('sha256');
  for await (const piece of source.stream()) h.update(piece);
  return h.digest('hex');
}

/** A source that runs `hook` once, when the stream first reaches byte `at` (tests use it to act between chunks). */
function withHook(source: MediaSource, at: number, hook: () => void): MediaSource {
  let fired = false;
  return {
    ...source,
    async *stream(start = 0) {
      let pos = start;
      for await (const piece of source.stream(start)) {
        if (!fired && pos >= at) {
          fired = true;
          hook();
        }
        pos += piece.byteLength;
        yield piece;
      }
    },
  };
}


describe('youtube adapter against its simulator', () => {
  let sim: YouTubeSimulator;
  let origin: string;
  const start = async (o: YouTubeSimOptions = {}) => {
    sim = createYouTubeSimulator(o);
    origin = await sim.server.start();
  };
  beforeEach(() => start());
  afterEach(() => sim.server.stop());

  function setup(o: { media: MediaSource; options?: Record<string, unknown>; text?: string; state?: HarnessState; credentials?: Credentials; ambiguous?: boolean }) {
    const demo = sim.createDemoAccount();
    const credentials = o.credentials ?? demo.credentials;
    const run = (state: HarnessState, creds: Credentials = credentials, ambiguous = o.ambiguous ?? false, media = o.media) =>
      makeContext({ adapter: youtubeAdapter, baseUrl: origin, credentials: creds, media: [media], settings, state, previousAttemptAmbiguous: ambiguous }).ctx;
    const state = o.state ?? newState();
    const inp: PublishInput = input({
      text: o.text ?? 'Uploaded by Herald',
      options: o.options ?? { title: 'Herald test video' },
      media: [{ index: 0 }],
      account: { id: 'acc_yt', externalId: demo.externalId, handle: demo.handle, settings: {} },
    });
    return { ctx: run(state), run, state, inp, demo };
  }
  const puts = () => sim.server.callsTo('PUT', UPLOAD_PATH);
  const ranges = () => puts().map((c) => c.headers['content-range']);

  it('maps options to the session metadata and headers, and saves the session before the first byte', async () => {
    const media = generatedSource(600_000, 'video/mp4');
    const publishAt = new Date(Date.now() + 86_400_000).toISOString();
    const { ctx, state, inp } = setup({
      media, text: 'Beschreibung ✓',
      options: { title: 'Hello 👋', privacy: 'private', tags: ['herald', 'two words'], categoryId: '27', madeForKids: true, publishAt, notifySubscribers: false },
    });
    const save = ctx.saveProgress;
    const putsAtSessionSave: number[] = [];
    ctx.saveProgress = async (patch) => {
      if ('session' in patch && !putsAtSessionSave.length) putsAtSessionSave.push(puts().length);
      await save(patch);
    };
    const out = await youtubeAdapter.publish(inp, ctx);
    expect(putsAtSessionSave).toEqual([0]);
    const [startCall] = sim.server.callsTo('POST', UPLOAD_PATH);
    expect(startCall!.query).toBe('?uploadType=resumable&part=snippet,status&notifySubscribers=false');
    expect(startCall!.headers['x-upload-content-length']).toBe('600000');
    expect(startCall!.headers['x-upload-content-type']).toBe('video/mp4');
    expect(startCall!.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(startCall!.headers.authorization).toBe(`Bearer ${ctx.credentials.accessToken}`);
    const [video] = [...sim.state.videos.values()];
    expect(video!.snippet).toMatchObject({ title: 'Hello 👋', description: 'Beschreibung ✓', tags: ['herald', 'two words'], categoryId: '27' });
    expect(video!.status).toMatchObject({ privacyStatus: 'private', publishAt, selfDeclaredMadeForKids: true });
    expect(out).toEqual({
      status: 'published',
      receipt: { platformPostId: video!.id, url: `https://www.youtube.com/watch?v=${video!.id}`, details: expect.objectContaining({ privacyStatus: 'private', publishAt }) },
    });
    expect(state.progress.videoId).toBe(video!.id);
    expect(state.arms.map((a) => a.label)).toEqual(['final-chunk']);
  });

  it('uploads 20 MiB in 8 MiB chunks with exact Content-Range values and intact bytes', async () => {
    const media = generatedSource(20 * MiB, 'video/mp4');
    const { ctx, inp, state } = setup({ media });
    await youtubeAdapter.publish(inp, ctx);
    expect(ranges()).toEqual(['bytes 0-8388607/20971520', 'bytes 8388608-16777215/20971520', 'bytes 16777216-20971519/20971520']);
    const [video] = [...sim.state.videos.values()];
    expect(video!.bytes).toBe(20 * MiB);
    expect(video!.sha256).toBe(await sha256Of(media));
    // Armed once, after the middle chunks and before the final one.
    expect(state.arms).toHaveLength(1);
    expect(state.arms[0]!.at).toBeGreaterThanOrEqual(puts()[1]!.at);
    expect(state.arms[0]!.at).toBeLessThanOrEqual(puts()[2]!.at);
  });

  it('probes and resumes on the same session when the 2nd chunk is dropped', async () => {
    const plain = generatedSource(20 * MiB, 'video/mp4');
    const media = withHook(plain, 8 * MiB, () => sim.server.injectFault({ method: 'PUT', path: UPLOAD_PATH, fault: { type: 'drop_before' } }));
    const { ctx, inp } = setup({ media });
    const out = await youtubeAdapter.publish(inp, ctx);
    expect(out.status).toBe('published');
    expect(ranges()).toEqual([
      'bytes 0-8388607/20971520', 'bytes 8388608-16777215/20971520', 'bytes */20971520',
      'bytes 8388608-16777215/20971520', 'bytes 16777216-20971519/20971520',
    ]);
    expect(puts()[2]!.headers['content-length']).toBe('0');
    expect(sim.state.sessionsCreated).toBe(1);
    expect([...sim.state.videos.values()][0]!.sha256).toBe(await sha256Of(plain));
  });

  it('restarts the stream at the acknowledged byte when the server kept fewer bytes than sent', async () => {
    const media = generatedSource(20 * MiB, 'video/mp4');
    sim.state.keepOfNextChunk = 4 * MiB;
    const { ctx, inp } = setup({ media });
    await youtubeAdapter.publish(inp, ctx);
    expect(ranges().slice(0, 2)).toEqual(['bytes 0-8388607/20971520', 'bytes 4194304-12582911/20971520']);
    expect([...sim.state.videos.values()][0]!.sha256).toBe(await sha256Of(media));
  });

  it('after a crash mid-upload, the re-run resumes the stored session (one session, bytes intact)', async () => {
    const plain = generatedSource(20 * MiB, 'video/mp4');
    const crashing = withHook(plain, 12 * MiB, () => {
      throw new Error('worker crashed');
    });
    const { ctx, run, inp, state } = setup({ media: crashing });
    await expect(youtubeAdapter.publish(inp, ctx)).rejects.toThrow('worker crashed');
    expect(state.progress.session).toMatchObject({ total: 20 * MiB });
    const out = await youtubeAdapter.publish(inp, run(state, undefined, false, plain));
    expect(out.status).toBe('published');
    expect(sim.state.sessionsCreated).toBe(1);
    expect(ranges().slice(1)).toEqual(['bytes */20971520', 'bytes 8388608-16777215/20971520', 'bytes 16777216-20971519/20971520']);
    expect([...sim.state.videos.values()][0]!.sha256).toBe(await sha256Of(plain));
  });

  it('a lost reply to the final chunk is unknown; lookup probes and finds the video (no second session)', async () => {
    const { ctx, run, inp, state } = setup({ media: generatedSource(300_000, 'video/mp4') });
    sim.server.injectFault({ method: 'PUT', path: UPLOAD_PATH, fault: { type: 'drop_after_commit' } });
    const err = await caught(youtubeAdapter.publish(inp, ctx));
    expect(err.kind).toBe('unknown');
    expect(state.armed).toBe('final-chunk');
    const [video] = [...sim.state.videos.values()];
    expect(await youtubeAdapter.lookup!(inp, run(state, undefined, true), { label: 'final-chunk', at: new Date().toISOString() })).toEqual({ status: 'landed' });
    expect(state.progress.videoId).toBe(video!.id);
    const out = await youtubeAdapter.publish(inp, run(state, undefined, true));
    expect(out.status === 'published' && out.receipt.platformPostId).toBe(video!.id);
    expect(sim.state.sessionsCreated).toBe(1);
    expect(sim.state.videos.size).toBe(1);
  });

  it('a re-run after a lost final reply probes the session itself and returns the video', async () => {
    const { ctx, run, inp, state } = setup({ media: generatedSource(300_000, 'video/mp4') });
    sim.server.injectFault({ method: 'PUT', path: UPLOAD_PATH, fault: { type: 'drop_after_commit' } });
    await caught(youtubeAdapter.publish(inp, ctx));
    const out = await youtubeAdapter.publish(inp, run(state, undefined, true));
    expect(out.status === 'published' && out.receipt.platformPostId).toBe([...sim.state.videos.keys()][0]);
    expect(sim.state.sessionsCreated).toBe(1);
  });

  it('a 503 on the final chunk is unknown; lookup says absent and the re-run completes the same session', async () => {
    const media = generatedSource(300_000, 'video/mp4');
    const { ctx, run, inp, state } = setup({ media });
    sim.server.injectFault({ method: 'PUT', path: UPLOAD_PATH, fault: { type: 'status', status: 503, body: { error: { code: 503, message: 'Backend Error', errors: [{ reason: 'backendError' }] } } } });
    expect((await caught(youtubeAdapter.publish(inp, ctx))).code).toBe('youtube.server_error');
    expect(await youtubeAdapter.lookup!(inp, run(state), { label: 'final-chunk', at: new Date().toISOString() })).toEqual({ status: 'absent' });
    expect((await youtubeAdapter.publish(inp, run(state))).status).toBe('published');
    expect(sim.state.sessionsCreated).toBe(1);
    expect([...sim.state.videos.values()][0]!.sha256).toBe(await sha256Of(media));
  });

  it('a stored session that expired before its final chunk is replaced by a new one', async () => {
    const plain = generatedSource(10 * MiB, 'video/mp4');
    const crashing = withHook(plain, 9 * MiB, () => {
      throw new Error('crash');
    });
    const { ctx, run, inp, state } = setup({ media: crashing });
    await expect(youtubeAdapter.publish(inp, ctx)).rejects.toThrow('crash');
    sim.state.sessions.clear();
    expect((await youtubeAdapter.publish(inp, run(state, undefined, false, plain))).status).toBe('published');
    expect(sim.state.sessionsCreated).toBe(2);
    expect(sim.state.videos.size).toBe(1);
  });

  it('a session lost after the final chunk was sent is unknown (youtube.session_lost), lookup inconclusive', async () => {
    const { ctx, run, inp, state } = setup({ media: generatedSource(300_000, 'video/mp4') });
    sim.server.injectFault({ method: 'PUT', path: UPLOAD_PATH, fault: { type: 'drop_after_commit' } });
    await caught(youtubeAdapter.publish(inp, ctx));
    sim.state.sessions.clear();
    expect((await youtubeAdapter.lookup!(inp, run(state), { label: 'final-chunk', at: new Date().toISOString() })).status).toBe('inconclusive');
    const err = await caught(youtubeAdapter.publish(inp, run(state, undefined, true)));
    expect([err.kind, err.code]).toEqual(['unknown', 'youtube.session_lost']);
    expect(sim.state.sessionsCreated).toBe(1);
  });

  it('quotaExceeded blocks the whole platform until the next Pacific midnight (bucket model)', async () => {
    sim.state.quota.insertsUsed = 100;
    const { ctx, inp } = setup({ media: generatedSource(1000, 'video/mp4') });
    const before = nextPacificMidnight().getTime();
    const err = await caught(youtubeAdapter.publish(inp, ctx));
    expect([err.kind, err.scope, err.code, err.platformStatus]).toEqual(['rate_limited', 'platform', 'youtube.quota_exceeded', 403]);
    expect([before, nextPacificMidnight().getTime()]).toContain(err.retryAt!.getTime());
    expect(sim.state.sessionsCreated).toBe(0);
  });

  it('the units quota model allows 6 uploads of 1600 units out of 10,000', async () => {
    await sim.server.stop();
    await start({ quotaModel: 'units' });
    for (let i = 0; i < 6; i++) {
      const { ctx, inp } = setup({ media: generatedSource(1000, 'video/mp4') });
      expect((await youtubeAdapter.publish(inp, ctx)).status).toBe('published');
    }
    const { ctx, inp } = setup({ media: generatedSource(1000, 'video/mp4') });
    expect((await caught(youtubeAdapter.publish(inp, ctx))).code).toBe('youtube.quota_exceeded');
  });

  it('uploadLimitExceeded blocks the account for 24 h; rateLimitExceeded for a minute', async () => {
    await sim.server.stop();
    await start({ dailyUploadsPerChannel: 1 });
    const { ctx, run, inp, demo } = setup({ media: generatedSource(1000, 'video/mp4') });
    await youtubeAdapter.publish(inp, ctx);
    const err = await caught(youtubeAdapter.publish(inp, run(newState(), demo.credentials)));
    expect([err.kind, err.scope, err.code, err.platformStatus]).toEqual(['rate_limited', 'account', 'youtube.upload_limit_exceeded', 400]);
    expect(err.retryAt!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    sim.server.injectFault({ method: 'POST', path: UPLOAD_PATH, fault: { type: 'status', status: 403, body: { error: { code: 403, message: 'slow down', errors: [{ reason: 'rateLimitExceeded', domain: 'youtube.quota' }] } } } });
    const slow = await caught(youtubeAdapter.publish(inp, run(newState(), demo.credentials)));
    expect([slow.kind, slow.scope]).toEqual(['rate_limited', 'account']);
    expect(slow.retryAt!.getTime() - Date.now()).toBeGreaterThan(50_000);
  });

  it('rejects invalid metadata with the reason in the code', async () => {
    const { ctx, inp } = setup({ media: generatedSource(1000, 'video/mp4'), options: { title: 'a <b>' } });
    const err = await caught(youtubeAdapter.publish(inp, ctx));
    expect([err.kind, err.code, err.platformCode]).toEqual(['rejected', 'youtube.invalid_request', 'invalidTitle']);
  });

  it('401 during the chunks is auth (refreshable); after a refresh the re-run continues the same session', async () => {
    const plain = generatedSource(20 * MiB, 'video/mp4');
    const media = withHook(plain, 8 * MiB, () => sim.expireAccessToken());
    const { ctx, run, inp, state, demo } = setup({ media });
    const err = await caught(youtubeAdapter.publish(inp, ctx));
    expect([err.kind, err.refreshable]).toEqual(['auth', true]);
    const fresh = await youtubeAdapter.refresh!(demo.credentials, refreshContext('youtube', origin, settings));
    expect((await youtubeAdapter.publish(inp, run(state, fresh, false, plain))).status).toBe('published');
    expect(sim.state.sessionsCreated).toBe(1);
    expect([...sim.state.videos.values()][0]!.sha256).toBe(await sha256Of(plain));
  });

  it('refresh keeps the refresh token; a revoked one is invalid_grant; none at all is not refreshable', async () => {
    const demo = sim.createDemoAccount();
    const rctx = refreshContext('youtube', origin, settings);
    const fresh = await youtubeAdapter.refresh!(demo.credentials, rctx);
    expect(fresh.refreshToken).toBe(demo.credentials.refreshToken);
    expect(fresh.accessToken).not.toBe(demo.credentials.accessToken);
    expect(Date.parse(fresh.expiresAt!)).toBeGreaterThan(Date.now() + 3_000_000);
    expect(sim.state.refreshCount).toBe(1);
    sim.revokeRefreshToken(demo.credentials.refreshToken);
    const dead = await caught(youtubeAdapter.refresh!(fresh, rctx));
    expect([dead.kind, dead.refreshable, dead.code]).toEqual(['auth', false, 'youtube.refresh_token_invalid']);
    const none = await caught(youtubeAdapter.refresh!({ accessToken: 'x' }, rctx));
    expect([none.kind, none.refreshable]).toEqual(['auth', false]);
  });

  it('oauth: authorize (PKCE S256) → exchange → channels.list gives the channel id', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const rctx = refreshContext('youtube', origin, settings);
    const authorize = (codeChallenge = challenge) =>
      youtubeAdapter.oauth!.authorizeUrl({ clientId: settings.clientId, redirectUri: 'https://herald.test/cb', state: 'st8', codeChallenge }, rctx.http.rewrite);
    const url = new URL(authorize());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code', access_type: 'offline', prompt: 'consent', state: 'st8', code_challenge: challenge, code_challenge_method: 'S256',
      scope: 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly',
    });
    expect(url.pathname).toBe('/o/oauth2/v2/auth');
    const codeFrom = async (u: string) => {
      const res = await fetch(u, { redirect: 'manual' });
      const back = new URL(res.headers.get('location')!);
      expect(back.searchParams.get('state')).toBe('st8');
      return back.searchParams.get('code')!;
    };
    const id = await youtubeAdapter.oauth!.exchange({ code: await codeFrom(authorize()), redirectUri: 'https://herald.test/cb', codeVerifier: verifier }, rctx);
    expect(id.externalId).toMatch(/^UC/);
    expect(id.handle).toMatch(/^@demochannel/);
    expect(id.credentials.refreshToken).toBeTruthy();
    const wrongVerifier = await caught(youtubeAdapter.oauth!.exchange({ code: await codeFrom(authorize()), redirectUri: 'https://herald.test/cb', codeVerifier: 'w'.repeat(50) }, rctx));
    expect(wrongVerifier.code).toBe('youtube.authorization_code_invalid');
    sim.state.nextSignInWithoutChannel = true;
    const noChannel = await caught(youtubeAdapter.oauth!.exchange({ code: await codeFrom(authorize()), redirectUri: 'https://herald.test/cb', codeVerifier: verifier }, rctx));
    expect([noChannel.kind, noChannel.code]).toEqual(['rejected', 'youtube.signup_required']);
  });

  it('an unaudited project stores uploads as private; the receipt says so', async () => {
    await sim.server.stop();
    await start({ unaudited: true });
    const { ctx, inp } = setup({ media: generatedSource(1000, 'video/mp4'), options: { title: 'x', privacy: 'public' } });
    const out = await youtubeAdapter.publish(inp, ctx);
    expect(out.status === 'published' && out.receipt.details).toMatchObject({ privacyStatus: 'private', requestedPrivacy: 'public' });
  });

  it('simulator: access tokens and upload sessions expire after their configured lifetimes', async () => {
    await sim.server.stop();
    await start({ accessTokenTtlMs: 60_000, sessionTtlMs: 50 });
    const { ctx, run, inp, state, demo } = setup({ media: generatedSource(300_000, 'video/mp4') });
    sim.server.injectFault({ method: 'PUT', path: UPLOAD_PATH, fault: { type: 'drop_before' } });
    await caught(youtubeAdapter.publish(inp, ctx));
    await new Promise((r) => setTimeout(r, 80));
    expect(await youtubeAdapter.lookup!(inp, run(state), { label: 'final-chunk', at: new Date().toISOString() })).toMatchObject({ status: 'inconclusive' });
    sim.expireAccessToken(demo.credentials.accessToken);
    const expired = await caught(youtubeAdapter.publish(inp, run(newState())));
    expect([expired.kind, expired.refreshable, expired.code]).toEqual(['auth', true, 'youtube.unauthorized']);
  });

  it('simulator: needs both X-Upload headers, 256 KiB multiples and contiguous chunks', async () => {
    const demo = sim.createDemoAccount();
    const auth = { authorization: `Bearer ${demo.credentials.accessToken}`, 'content-type': 'application/json; charset=UTF-8' };
    const body = JSON.stringify({ snippet: { title: 't' }, status: { privacyStatus: 'private' } });
    const startUrl = `${origin}${UPLOAD_PATH}?uploadType=resumable&part=snippet,status`;
    expect((await fetch(startUrl, { method: 'POST', headers: { ...auth, 'x-upload-content-length': '600000' }, body })).status).toBe(400);
    const ok = await fetch(startUrl, { method: 'POST', headers: { ...auth, 'x-upload-content-length': '600000', 'x-upload-content-type': 'video/mp4' }, body });
    const uri = ok.headers.get('location')!;
    expect(uri).toContain('upload_id=');
    const put = (range: string, n: number) => fetch(uri, { method: 'PUT', headers: { 'content-range': range }, body: new Uint8Array(n), redirect: 'manual' });
    expect((await put('bytes 0-99999/600000', 100_000)).status).toBe(400);
    const first = await put('bytes 0-262143/600000', 262_144);
    expect([first.status, first.headers.get('range')]).toEqual([308, 'bytes=0-262143']);
    const gap = await put('bytes 524288-599999/600000', 75_712);
    expect([gap.status, gap.headers.get('range')]).toEqual([308, 'bytes=0-262143']);
    expect((await put('bytes 262144-599999/600000', 337_856)).status).toBe(200);
  });
});

describe('youtube validate()', () => {
  const v = (options: Record<string, unknown>, text = 'ok', media = [{ index: 0 }]) => targetIssues(youtubeAdapter, { text, media, options });
  const codes = (options: Record<string, unknown>, text?: string) => v(options, text).map((i) => `${i.field}:${i.code}`);

  it('title: required, 100 characters (code points), no angle brackets', () => {
    expect(codes({ title: 'a'.repeat(100) })).toEqual([]);
    expect(codes({ title: '😀'.repeat(100) })).toEqual([]);
    expect(codes({ title: 'a'.repeat(101) })).toEqual(['options.title:title_too_long']);
    expect(codes({ title: 'a < b' })).toEqual(['options.title:title_invalid_characters']);
    expect(v({})).toEqual([{ field: 'options.title', code: 'invalid_option', message: 'YouTube needs a video title (options.title).' }]);
    expect(v({ title: '  ' }).map((i) => i.message)).toEqual(['YouTube needs a video title (options.title).']);
  });

  it('description: 5000 UTF-8 bytes, no angle brackets', () => {
    expect(codes({ title: 't' }, 'é'.repeat(2500))).toEqual([]);
    expect(codes({ title: 't' }, `${'é'.repeat(2500)}a`)).toEqual(['text:description_too_long']);
    expect(codes({ title: 't' }, '<b>')).toEqual(['text:description_invalid_characters']);
    expect(youtubeManifest.text.count('é✓')).toBe(5);
  });

  it('tags: commas count and a tag with a space counts +2', () => {
    expect(countTagCharacters([])).toBe(0);
    expect(countTagCharacters(['Foo-Baz'])).toBe(7);
    expect(countTagCharacters(['Foo Baz'])).toBe(9);
    expect(countTagCharacters(['a', 'b c'])).toBe(7);
    const tags = Array.from({ length: 50 }, () => 'abcdefghi');
    expect(countTagCharacters(tags)).toBe(499);
    expect(codes({ title: 't', tags })).toEqual([]);
    expect(codes({ title: 't', tags: [...tags.slice(1), 'abcd fghi'] })).toEqual(['options.tags:tags_too_long']);
  });

  it('publishAt: private only, in the future, RFC 3339', () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(codes({ title: 't', privacy: 'private', publishAt: future })).toEqual([]);
    expect(codes({ title: 't', privacy: 'public', publishAt: future })).toEqual(['options.publishAt:publish_at_requires_private']);
    expect(codes({ title: 't', publishAt: future })).toEqual(['options.publishAt:publish_at_requires_private']);
    expect(codes({ title: 't', privacy: 'private', publishAt: '2020-01-01T00:00:00Z' })).toEqual(['options.publishAt:publish_at_in_past']);
    expect(codes({ title: 't', privacy: 'private', publishAt: 'tomorrow' })).toContain('options.publishAt:invalid_option');
  });

  it('exactly one video, and typed options', () => {
    expect(v({ title: 't' }, 'ok', []).map((i) => i.code)).toEqual(['video_required']);
    expect(codes({ title: 't', categoryId: 'music' })).toEqual(['options.categoryId:invalid_option']);
  });
});
