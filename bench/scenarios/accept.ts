/**
 * 2. Accept: POST /v1/posts with 3 targets (3 X accounts), each request a new text, against an
 * API process with no worker running, so publishing never competes with accepting.
 * Posts scheduled 30 days ahead: saturation with 64 connections (autocannon), then a
 * constant rate of half of it. Then posts due now (their jobs are created at once) at saturation.
 */
import { farFuture, type Ctx, type Scenario } from '../lib/context.ts';
import { creatorWithAccounts, noopXAccounts, startApi } from '../lib/herald.ts';
import { constantRate, load, problems, type LoadResult } from '../lib/load.ts';
import { cpuMeter } from '../lib/proc.ts';
import { commandCalls, perUnit } from '../lib/redis.ts';
import { row, type Row } from '../lib/results.ts';
import { fmt } from '../lib/stats.ts';

const lat = (r: LoadResult) => `p50 ${fmt(r.latency.p50)} ms, p99 ${fmt(r.latency.p99)} ms`;
const trouble = (r: LoadResult) => (problems(r) ? `; NOT 2xx: ${problems(r)}` : '');

/** Jobs in the X queue (delayed + waiting): tells whether accepting a post created BullMQ jobs. */
async function queuedJobs(ctx: Ctx, prefix: string): Promise<number> {
  const q = `${prefix}:q:publish-x`;
  return (await ctx.redis.client.zcard(`${q}:delayed`)) + (await ctx.redis.client.llen(`${q}:wait`));
}

export const accept: Scenario = async (ctx) => {
  const s = ctx.sizes;
  const prefix = ctx.prefix('accept');
  // No worker runs here, so nothing is published and the platform URL is never called.
  const api = await startApi({ name: 'accept', redisUrl: ctx.redis.url, prefix, runDir: ctx.runDir, logDir: ctx.logDir, platformUrls: { x: 'http://127.0.0.1:9' } });
  try {
    const { key, accountIds } = await creatorWithAccounts(api.url, noopXAccounts(3));
    const scheduledAt = farFuture();
    const targets = accountIds.map((accountId) => ({ accountId }));
    const common = { url: api.url, path: '/v1/posts', headers: { authorization: `Bearer ${key}` }, connections: s.connections };
    const body = (tag: string, at?: string) => (i: number) => ({ text: `Bench accept ${tag} #${i}: a post to three X accounts`, ...(at ? { scheduledAt: at } : {}), targets });

    /** One saturation run, with the CPU, Redis commands and BullMQ jobs it cost. */
    const saturate = async (tag: string, at?: string) => {
      await ctx.redis.quiesce();
      await ctx.redis.client.call('CONFIG', 'RESETSTAT');
      const jobsBefore = await queuedJobs(ctx, prefix);
      ctx.log(`accept: saturation, ${tag}, ${s.loadSeconds} s`);
      const cpu = cpuMeter({ api: api.proc.pid, redis: ctx.redis.pid });
      const r = await load({ ...common, body: body(tag, at), duration: s.loadSeconds });
      const used = cpu();
      const posts = Math.max(1, r.ok);
      const busy = Object.entries(used).map(([k, v]) => `${k} ${Math.round((100 * v) / r.seconds)}%`).join(', ');
      const jobs = ((await queuedJobs(ctx, prefix)) - jobsBefore) / posts;
      const perPost = perUnit(await commandCalls(ctx.redis), posts);
      const note = `${r.ok} posts in ${r.seconds.toFixed(1)} s, ${s.connections} conn, no worker; CPU ${busy} (${fmt((used.api! * 1000) / posts)} ms API CPU/post); `
        + `${perPost.total} Redis commands and ${fmt(jobs)} BullMQ jobs per post${trouble(r)}`;
      return { r, note, details: { redisCommandsPerPost: perPost.byCommand, latency: r.latency, cpuSeconds: used, bullJobsPerPost: jobs } };
    };

    ctx.log('accept: warm-up');
    await load({ ...common, body: body('warm', scheduledAt), duration: 3 });
    const sat = await saturate('scheduled', scheduledAt);
    await ctx.redis.quiesce();
    const rate = Math.max(1, Math.round(sat.r.okPerSecond / 2));
    ctx.log(`accept: constant rate ${rate} posts/s, ${s.loadSeconds} s`);
    const half = await constantRate({ ...common, body: body('half', scheduledAt), seconds: s.loadSeconds, rate });
    const now = await saturate('due now');

    const addLimit = ctx.limits.addJobsPerSec ? { limit: { name: 'BullMQ add', value: ctx.limits.addJobsPerSec, unit: 'jobs/s' } } : {};
    const target = { on: 'ratio' as const, op: '>=' as const, value: 0.5, label: 'ratio ≥ 0.5' };
    const rows: Row[] = [
      row({
        scenario: 'accept: POST /v1/posts (3 targets, scheduled +30 d), saturation', figure: sat.r.okPerSecond, unit: 'posts/s',
        ...(ctx.limits.helloRps ? { limit: { name: 'Fastify hello', value: ctx.limits.helloRps, unit: 'req/s' } } : {}),
        note: sat.note, details: sat.details,
      }),
      row({
        scenario: 'accept: deliveries accepted/s, scheduled posts', figure: sat.r.okPerSecond * 3, unit: 'deliveries/s', ...addLimit, target,
        note: '3 × posts/s of the row above',
      }),
      row({ scenario: 'accept: latency p50 at saturation', figure: sat.r.latency.p50, unit: 'ms', note: `${s.connections} requests in flight` }),
      row({ scenario: 'accept: latency p99 at saturation', figure: sat.r.latency.p99, unit: 'ms', note: `max ${fmt(sat.r.latency.max)} ms` }),
      row({
        scenario: `accept: p99 at half saturation (${rate} posts/s)`, figure: half.latency.p99, unit: 'ms',
        note: `${lat(half)}; requests evenly spaced (open loop, latency from each request's due time), achieved ${fmt(half.okPerSecond)} posts/s${trouble(half)}`,
        details: { latency: half.latency },
      }),
      row({
        scenario: 'accept: deliveries accepted/s, posts due now', figure: now.r.okPerSecond * 3, unit: 'deliveries/s', ...addLimit, target,
        note: `no scheduledAt (published at once when a worker runs; none does here): ${now.note}; p50 ${fmt(now.r.latency.p50)} ms, p99 ${fmt(now.r.latency.p99)} ms`,
        details: now.details,
      }),
    ];
    return rows;
  } finally {
    await api.proc.stop();
    await ctx.redis.reset();
  }
};
