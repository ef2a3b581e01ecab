/**
 * 6. Streaming: peak RSS of a worker process while a large generated video goes from a media
 * URL to the YouTube simulator (resumable upload, 8 MiB chunks) and to the X simulator
 * (chunked upload, 1 MiB segments). Sandbox mode, because media is served from 127.0.0.1
 * (HERALD_ALLOW_PRIVATE_URLS=true is refused in live mode); every PLATFORM_*_URL is set, so
 * the simulators used are the bench's. A fresh worker per upload; its RSS high-water mark is
 * reset just before the post (/proc/<pid>/clear_refs) and RSS is also sampled every 100 ms.
 */
import { writeFileSync } from 'node:fs';
import type { Ctx, Scenario } from '../lib/context.ts';
import { ApiClient, creatorWithAccounts, startApi, startWorker, type AccountSpec, type HeraldSetup } from '../lib/herald.ts';
import { baseEnv, memOf, sleep, spawnTsChild, until, type Proc } from '../lib/proc.ts';
import { attempt, row, type Row } from '../lib/results.ts';
import { fmt, mb, MB } from '../lib/stats.ts';

interface PostView {
  id: string;
  deliveries: { status: string; error: { code: string; message: string } | null }[];
}

async function upload(ctx: Ctx, setup: HeraldSetup, client: ApiClient, platform: 'youtube' | 'x', body: unknown, bytes: number): Promise<Row> {
  const worker = await startWorker({ ...setup, name: `${setup.name}-${platform}` }, platform);
  try {
    await sleep(1_000);
    const idle = memOf(worker.pid);
    let hwmReset = true;
    try {
      writeFileSync(`/proc/${worker.pid}/clear_refs`, '5');
    } catch {
      hwmReset = false;
    }
    let sampled = 0;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, memOf(worker.pid)?.rss ?? 0);
    }, 100);
    const t0 = Date.now();
    try {
      const post = await client.call<PostView>('POST', '/v1/posts', body);
      await until(`${platform} upload of ${mb(bytes)} to finish`, 900_000, async () => {
        const d = (await client.call<PostView>('GET', `/v1/posts/${post.id}`)).deliveries[0];
        if (d?.status === 'published') return true;
        if (d && ['failed', 'unknown'].includes(d.status)) throw new Error(`${platform} delivery ${d.status}: ${d.error?.code} ${d.error?.message}`);
        return undefined;
      }, 250);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - t0) / 1000;
    const end = memOf(worker.pid);
    const peak = Math.max(sampled, hwmReset ? end?.hwm ?? 0 : 0);
    const label = platform === 'youtube' ? `YouTube resumable upload of ${mb(bytes)}` : `X chunked video upload of ${mb(bytes)}`;
    return row({
      scenario: `streaming: worker peak RSS, ${label}`, figure: peak / MB, unit: 'MB', target: { on: 'figure', op: '<', value: 200, label: '< 200 MB' },
      note: `idle ${mb(idle?.rss ?? NaN)} before; ${fmt(bytes / MB / seconds)} MB/s end to end (${seconds.toFixed(1)} s)${hwmReset ? '; VmHWM reset before the post' : '; sampled every 100 ms'}${ctx.quick ? '; quick run: smaller file' : ''}`,
      details: { idleRss: idle?.rss, sampledPeak: sampled, vmHwm: end?.hwm, seconds, bytes },
    });
  } finally {
    await worker.stop();
  }
}

export const streaming: Scenario = async (ctx) => {
  const sims: Proc = spawnTsChild('stream-sims', 'sims.ts', { youtube: true }, baseEnv(), ctx.logDir);
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    const o = await sims.waitFor<{ xOrigin: string; ytOrigin: string; mediaOrigin: string }>('ready', 60_000);
    const setup: HeraldSetup = {
      name: 'stream', mode: 'sandbox', redisUrl: ctx.redis.url, prefix: ctx.prefix('stream'), runDir: ctx.runDir, logDir: ctx.logDir,
      platformUrls: { x: o.xOrigin, youtube: o.ytOrigin, linkedin: o.xOrigin }, env: { HERALD_ALLOW_PRIVATE_URLS: 'true' },
    };
    api = await startApi(setup);
    const yt = (await sims.ask<{ value: Omit<AccountSpec, 'platform'> }>('ytAccount')).value;
    const x = (await sims.ask<{ value: Omit<AccountSpec, 'platform'> }>('xAccount')).value;
    const { client, accountIds } = await creatorWithAccounts(api.url, [{ platform: 'youtube', ...yt }, { platform: 'x', ...x }]);
    const s = ctx.sizes;
    const ytBody = {
      text: 'Bench: a large generated video', media: [{ url: `${o.mediaOrigin}/media/${s.youtubeBytes}.mp4` }],
      targets: [{ accountId: accountIds[0]!, options: { title: 'Herald bench video', privacy: 'unlisted' } }],
    };
    const xBody = { text: 'Bench: a large generated video on X', media: [{ url: `${o.mediaOrigin}/media/${s.xVideoBytes}.mp4` }], targets: [{ accountId: accountIds[1]! }] };
    ctx.log(`streaming: ${mb(s.youtubeBytes)} to the YouTube simulator`);
    const rows = await attempt('streaming: YouTube', () => upload(ctx, setup, client, 'youtube', ytBody, s.youtubeBytes));
    ctx.log(`streaming: ${mb(s.xVideoBytes)} to the X simulator`);
    rows.push(...(await attempt('streaming: X', () => upload(ctx, setup, client, 'x', xBody, s.xVideoBytes))));
    const stats = (await sims.ask<{ value: Record<string, unknown> }>('stats')).value;
    for (const r of rows) r.details = { ...r.details, simulator: stats };
    return rows;
  } finally {
    await api?.proc.stop();
    await sims.stop();
    await ctx.redis.reset();
  }
};
