/**
 * 3. End to end: deliveries published per second, from the first accept to the last
 * `published`, with the API and one worker process (WORKER_CONCURRENCY=100) running.
 *  - no-op platform (bench/children/noop-x.ts): X's API answering 201 at once, so the figure is
 *    Herald's own cost; compared with raw BullMQ no-op processing;
 *  - the same with the queue pre-filled while paused, then resumed (the worker alone);
 *  - through the X simulator (absolute).
 */
import { freePort } from '../../src/store/redis-child.ts';
import type { Ctx, Scenario } from '../lib/context.ts';
import { deploy, postNow, stopDeployment, waitPublished, warm, type Deployment } from '../lib/deploy.ts';
import { ADMIN_KEY, ApiClient, noopXAccounts, statusCounts, type AccountSpec } from '../lib/herald.ts';
import { baseEnv, cpuMeter, spawnTsChild } from '../lib/proc.ts';
import { commandCalls, perUnit } from '../lib/redis.ts';
import { attempt, row, type Row } from '../lib/results.ts';
import { fmt } from '../lib/stats.ts';

/** Accept and publish at once: first accept → last published. */
async function pipeline(d: Deployment, posts: number, tag: string) {
  await d.ctx.redis.quiesce();
  const cpu = cpuMeter({ api: d.api.proc.pid, worker: d.worker!.pid, redis: d.ctx.redis.pid });
  const t0 = Date.now();
  const accepted = await postNow(d, posts, tag);
  const last = await waitPublished(d, d.published + posts * 3, tag);
  const seconds = (last - t0) / 1000;
  return { rate: (posts * 3) / seconds, seconds, accepted, cpu: cpu() };
}

/** Pre-fill the paused queue through the API, then resume: the worker alone. */
async function drain(d: Deployment, posts: number) {
  const admin = new ApiClient(d.api.url, ADMIN_KEY);
  await admin.call('POST', '/v1/admin/platforms/x/pause', {});
  await postNow(d, posts, 'drain');
  await d.ctx.redis.quiesce();
  await d.ctx.redis.client.call('CONFIG', 'RESETSTAT');
  const cpu = cpuMeter({ worker: d.worker!.pid, redis: d.ctx.redis.pid });
  const t0 = Date.now();
  await admin.call('POST', '/v1/admin/platforms/x/resume', {});
  const last = await waitPublished(d, d.published + posts * 3, 'drain');
  const seconds = (last - t0) / 1000;
  return { rate: (posts * 3) / seconds, seconds, cpu: cpu(), redisPerDelivery: perUnit(await commandCalls(d.ctx.redis), posts * 3) };
}

const processLimit = (ctx: Ctx) =>
  ctx.limits.processJobsPerSec ? { limit: { name: 'BullMQ worker', value: ctx.limits.processJobsPerSec, unit: 'jobs/s' } } : {};
const cpuNote = (cpu: Record<string, number>, deliveries: number) =>
  Object.entries(cpu).map(([k, s]) => `${k} ${fmt((s * 1000) / deliveries)}`).join(', ') + ' CPU ms/delivery';

async function noop(ctx: Ctx): Promise<Row[]> {
  const port = await freePort();
  const platform = spawnTsChild('noop-x', 'noop-x.ts', { port }, baseEnv(), ctx.logDir);
  let d: Deployment | undefined;
  try {
    await platform.waitFor('ready', 60_000);
    d = await deploy(ctx, 'e2e-noop', `http://127.0.0.1:${port}`, noopXAccounts(3));
    await warm(d);
    const n = ctx.sizes.e2ePosts;
    ctx.log(`e2e: ${n} posts through the no-op platform, accept → published`);
    const p = await pipeline(d, n, 'pipeline');
    ctx.log(`e2e: ${n} posts into the paused queue, then resume`);
    const dr = await drain(d, n);
    const dep = d;
    const statuses = await statusCounts(ctx.redis.client, dep.prefix);
    const writes = (await platform.ask<{ value: { writes: number } }>('stats')).value.writes;
    return [
      row({
        scenario: 'e2e: accept → published, no-op platform', figure: p.rate, unit: 'deliveries/s', ...processLimit(ctx),
        target: { on: 'ratio', op: '>=', value: 0.5, label: 'ratio ≥ 0.5' },
        note: `${n} posts × 3 X accounts in ${p.seconds.toFixed(1)} s, API + 1 worker (concurrency 100) running together; platform = instant 201 server; ${cpuNote(p.cpu, n * 3)}`,
        details: { cpuSeconds: p.cpu, acceptLatency: p.accepted.latency, statuses, platformWrites: writes },
      }),
      row({
        scenario: 'e2e: worker alone (queue pre-filled), no-op', figure: dr.rate, unit: 'deliveries/s', ...processLimit(ctx),
        note: `${n * 3} queued deliveries, queue resumed → last published in ${dr.seconds.toFixed(1)} s; ${dr.redisPerDelivery.total} Redis commands/delivery; ${cpuNote(dr.cpu, n * 3)}`,
        details: { cpuSeconds: dr.cpu, redisCommandsPerDelivery: dr.redisPerDelivery.byCommand },
      }),
    ];
  } finally {
    await stopDeployment(d);
    await platform.stop();
    await ctx.redis.reset();
  }
}

async function simulator(ctx: Ctx): Promise<Row> {
  const sims = spawnTsChild('x-sim', 'sims.ts', {}, baseEnv(), ctx.logDir);
  let d: Deployment | undefined;
  try {
    const { xOrigin } = await sims.waitFor<{ xOrigin: string }>('ready', 60_000);
    const accounts: AccountSpec[] = [];
    for (let i = 0; i < 3; i++) accounts.push({ platform: 'x', ...(await sims.ask<{ value: Omit<AccountSpec, 'platform'> }>('xAccount')).value });
    d = await deploy(ctx, 'e2e-xsim', xOrigin, accounts);
    await warm(d);
    const n = ctx.sizes.e2eSimPosts;
    ctx.log(`e2e: ${n} posts through the X simulator`);
    const p = await pipeline(d, n, 'xsim');
    const tweets = (await sims.ask<{ value: { tweets: number } }>('stats')).value.tweets;
    return row({
      scenario: 'e2e: accept → published, X simulator', figure: p.rate, unit: 'deliveries/s',
      note: `${n} posts × 3 simulated X accounts in ${p.seconds.toFixed(1)} s (simulator: limits off, in its own process); ${tweets} tweets on the simulator; ${cpuNote(p.cpu, n * 3)}`,
      details: { cpuSeconds: p.cpu },
    });
  } finally {
    await stopDeployment(d);
    await sims.stop();
    await ctx.redis.reset();
  }
}

export const e2e: Scenario = async (ctx) => [
  ...(await attempt('e2e: no-op platform', () => noop(ctx))),
  ...(await attempt('e2e: X simulator', () => simulator(ctx))),
];
