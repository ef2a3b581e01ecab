/**
 * Engagement readers (`readMetrics`) against their simulators over HTTP: X public_metrics,
 * YouTube statistics, LinkedIn social actions where the scopes allow. A number the platform
 * does not give is absent, never 0; a platform or scope without numbers says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { linkedinAdapter } from '../../adapters/linkedin/index.ts';
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { xAdapter } from '../../adapters/x/index.ts';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { youtubeAdapter } from '../../adapters/youtube/index.ts';
import { createYouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import { createPlatformHttp } from '../../src/platform/http.ts';
import type { Credentials, MetricsContext, PlatformAdapter } from '../../src/platform/port.ts';
import type { SimServer } from '../../src/platform/simulator-kit.ts';
import { caught, input, makeContext, publishToEnd, silentLog } from '../helpers/adapter-harness.ts';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function metricsContext(adapter: PlatformAdapter, origin: string, credentials: Credentials): MetricsContext {
  const signal = new AbortController().signal;
  return {
    credentials, signal, log: silentLog, settings: { extra: {} },
    http: createPlatformHttp({ platform: adapter.manifest.platform, baseUrlOverride: origin, timeoutMs: 5_000, signal }),
  };
}

describe('X readMetrics', () => {
  it('reads public_metrics: impressions, likes, replies as comments, reposts and quotes as shares; no views', async () => {
    const sim = createXSimulator();
    server = sim.server;
    const origin = await sim.server.start();
    const demo = sim.createDemoAccount();
    const account = { id: 'acc_x', externalId: demo.externalId, handle: demo.handle, settings: {} };
    const { ctx } = makeContext({ adapter: xAdapter, baseUrl: origin, credentials: demo.credentials });
    const out = await publishToEnd(xAdapter, input({ text: 'counting', account }, xAdapter), ctx);
    if (out.status !== 'published') throw new Error('not published');
    sim.state.tweets[0]!.metrics = { impression_count: 1200, like_count: 40, reply_count: 3, retweet_count: 5, quote_count: 2, bookmark_count: 7 };

    const reading = await xAdapter.readMetrics!({ platformPostId: out.receipt.platformPostId, account }, metricsContext(xAdapter, origin, demo.credentials));
    expect(reading).toEqual({
      status: 'ok',
      metrics: { impressions: 1200, likes: 40, comments: 3, shares: 7, raw: { impression_count: 1200, like_count: 40, reply_count: 3, retweet_count: 5, quote_count: 2, bookmark_count: 7 } },
    });
    const call = sim.server.callsTo('GET', `/2/tweets/${out.receipt.platformPostId}`)[0]!;
    expect(new URLSearchParams(call.query).get('tweet.fields')).toBe('public_metrics');
  });

  it('says a deleted post has no numbers instead of zeros, and classifies a dead token as auth', async () => {
    const sim = createXSimulator();
    server = sim.server;
    const origin = await sim.server.start();
    const demo = sim.createDemoAccount();
    const account = { id: 'acc_x', externalId: demo.externalId, settings: {} };
    const gone = await xAdapter.readMetrics!({ platformPostId: '1880000000000000001', account }, metricsContext(xAdapter, origin, demo.credentials));
    expect(gone).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/no longer has this post/) });
    sim.expireAllAccessTokens();
    const err = await caught(xAdapter.readMetrics!({ platformPostId: '1', account }, metricsContext(xAdapter, origin, demo.credentials)));
    expect(err.kind).toBe('auth');
  });
});

describe('YouTube readMetrics', () => {
  async function withVideo(o: { uploadOnly?: boolean; statistics?: { viewCount?: number; likeCount?: number | null; commentCount?: number } } = {}) {
    const sim = createYouTubeSimulator();
    server = sim.server;
    const origin = await sim.server.start();
    const demo = sim.createDemoAccount({ ...(o.uploadOnly ? { uploadOnly: true } : {}) });
    const id = 'dQw4w9WgXcQ';
    sim.state.videos.set(id, {
      id, channelId: demo.externalId, sessionId: 's', bytes: 1, sha256: '', snippet: { title: 't' }, status: { privacyStatus: 'public' },
      ...(o.statistics ? { statistics: o.statistics } : {}),
    });
    const account = { id: 'acc_yt', externalId: demo.externalId, settings: {} };
    return { sim, read: (videoId = id) => youtubeAdapter.readMetrics!({ platformPostId: videoId, account }, metricsContext(youtubeAdapter, origin, demo.credentials)) };
  }

  it('reads statistics: views, likes, comments; no impressions or shares', async () => {
    const { sim, read } = await withVideo({ statistics: { viewCount: 5000, likeCount: 120, commentCount: 9 } });
    expect(await read()).toEqual({ status: 'ok', metrics: { views: 5000, likes: 120, comments: 9, raw: { viewCount: 5000, likeCount: 120, favoriteCount: 0, commentCount: 9 } } });
    expect(new URLSearchParams(sim.server.callsTo('GET', '/youtube/v3/videos')[0]!.query).get('part')).toBe('statistics');
  });

  it('leaves hidden likes out rather than reporting 0', async () => {
    const { read } = await withVideo({ statistics: { viewCount: 10, likeCount: null } });
    const reading = await read();
    expect(reading.status).toBe('ok');
    expect(reading.status === 'ok' && 'likes' in reading.metrics).toBe(false);
  });

  it('an upload-only token, or a missing video, is unavailable with the reason', async () => {
    const { read } = await withVideo({ uploadOnly: true });
    expect(await read()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/youtube\.readonly/) });
    const other = await withVideo();
    expect(await other.read('missing0000')).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/does not list this video/) });
  });
});

describe('LinkedIn readMetrics', () => {
  async function published(o: { organization?: boolean; readScopes?: boolean }) {
    const sim = createLinkedInSimulator();
    server = sim.server;
    const origin = await sim.server.start();
    const demo = sim.createDemoAccount(o);
    const account = { id: 'acc_li', externalId: demo.externalId, handle: demo.handle, settings: {} };
    const { ctx } = makeContext({ adapter: linkedinAdapter, baseUrl: origin, credentials: demo.credentials, settings: { clientId: 'c', clientSecret: 's' } });
    const out = await publishToEnd(linkedinAdapter, input({ text: 'engagement please', account }, linkedinAdapter), ctx);
    if (out.status !== 'published') throw new Error('not published');
    sim.state.posts[0]!.likes = 17;
    return { sim, read: (credentials: Credentials = demo.credentials) => linkedinAdapter.readMetrics!({ platformPostId: out.receipt.platformPostId, account }, metricsContext(linkedinAdapter, origin, credentials)) };
  }

  it('reads likes and comments with r_member_social', async () => {
    const { read } = await published({ readScopes: true });
    const reading = await read();
    expect(reading).toMatchObject({ status: 'ok', metrics: { likes: 17, comments: 0 } });
    expect(reading.status === 'ok' && Object.keys(reading.metrics).sort()).toEqual(['comments', 'likes', 'raw']);
  });

  it('reads an organization\'s post with r_organization_social', async () => {
    const { read } = await published({ organization: true, readScopes: true });
    expect(await read()).toMatchObject({ status: 'ok', metrics: { likes: 17 } });
  });

  it('a w_member_social token cannot read: unavailable, naming the scope, without a call', async () => {
    const { sim, read } = await published({});
    expect(await read()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/r_member_social/) });
    expect(sim.server.calls.filter((c) => c.path.startsWith('/rest/socialActions/') && c.method === 'GET')).toHaveLength(0);
  });

  it('a token whose scopes are not recorded asks, and a 403 is unavailable too', async () => {
    const { sim, read } = await published({});
    const { scope: _s, ...noScope } = (sim.createDemoAccount().credentials as Credentials);
    const reading = await read(noScope as Credentials);
    expect(reading).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/r_member_social/) });
    expect(sim.server.calls.filter((c) => c.path.startsWith('/rest/socialActions/') && c.method === 'GET')).toHaveLength(1);
  });
});
