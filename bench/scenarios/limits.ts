/**
 * 1. Limits, measured first, on the same machine and Redis: what Herald's figures are compared with.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../src/store/redis-child.ts';
import { FAR_FUTURE_DELAY_MS, type Ctx, type Scenario } from '../lib/context.ts';
import { load, problems } from '../lib/load.ts';
import { baseEnv, cpuMeter, spawnTsChild } from '../lib/proc.ts';
import { attempt, row, type Row } from '../lib/results.ts';
import { fmt } from '../lib/stats.ts';

const run = promisify(execFile);

async function hello(ctx: Ctx): Promise<Row> {
  const port = await freePort();
  const child = spawnTsChild('hello', 'hello.ts', { port }, baseEnv(), ctx.logDir);
  try {
    await child.waitFor('ready', 60_000);
    const url = `http://127.0.0.1:${port}`;
    await load({ url, path: '/', connections: ctx.sizes.connections, duration: 2 });
    const cpu = cpuMeter({ server: child.pid });
    const r = await load({ url, path: '/', connections: ctx.sizes.connections, duration: ctx.sizes.loadSeconds });
    const used = cpu().server!;
    ctx.limits.helloRps = r.okPerSecond;
    return row({
      scenario: 'limit: Fastify hello-world (GET /)', figure: r.okPerSecond, unit: 'req/s',
      note: `autocannon ${ctx.sizes.connections} conn, ${ctx.sizes.loadSeconds} s, child process at ${Math.round((100 * used) / r.seconds)}% CPU; p99 ${r.latency.p99} ms${problems(r) ? `; ${problems(r)}` : ''}`,
    });
  } finally {
    await child.stop();
  }
}

interface BullResult {
  jobs: number;
  seconds: number;
  perSecond: number;
}

async function bull(ctx: Ctx, mode: 'add' | 'process'): Promise<Row> {
  const s = ctx.sizes;
  const params = mode === 'add'
    ? { mode, redisUrl: ctx.redis.url, prefix: ctx.prefix('limit-add'), seconds: s.addSeconds, inFlight: 64, delayMs: FAR_FUTURE_DELAY_MS }
    : { mode, redisUrl: ctx.redis.url, prefix: ctx.prefix('limit-process'), jobs: s.processJobs, concurrency: 100 };
  const child = spawnTsChild(`bull-${mode}`, 'bull-baseline.ts', params, baseEnv(), ctx.logDir);
  try {
    await child.waitFor('started', 300_000);
    const cpu = cpuMeter({ child: child.pid, redis: ctx.redis.pid });
    const r = await child.waitFor<BullResult>('result', 600_000);
    const used = cpu();
    const cpuNote = `; CPU per job: ${fmt((used.child! * 1000) / r.jobs)} ms Node, ${fmt((used.redis! * 1000) / r.jobs)} ms Redis`;
    await ctx.redis.reset();
    if (mode === 'add') {
      ctx.limits.addJobsPerSec = r.perSecond;
      return row({
        scenario: 'limit: BullMQ Queue.add, 64 in flight', figure: r.perSecond, unit: 'jobs/s',
        note: `${r.jobs} delayed jobs in ${r.seconds.toFixed(1)} s; Herald's job options (own jobId, removeOnComplete/Fail, 30-day delay)${cpuNote}`,
      });
    }
    ctx.limits.processJobsPerSec = r.perSecond;
    return row({
      scenario: 'limit: BullMQ Worker, concurrency 100, no-op', figure: r.perSecond, unit: 'jobs/s',
      note: `${r.jobs} waiting jobs drained in ${r.seconds.toFixed(1)} s by one worker process${cpuNote}`,
    });
  } finally {
    await child.stop();
  }
}

async function redisSet(ctx: Ctx): Promise<Row> {
  const n = ctx.quick ? 200_000 : 1_000_000;
  const { stdout } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(ctx.redis.port), '-t', 'set', '-n', String(n), '-c', '64', '-r', '100000', '--csv'], { timeout: 300_000 });
  // "test","rps","avg_latency_ms",... then "SET","123456.79",...
  const line = stdout.split('\n').find((l) => l.startsWith('"SET"'));
  const ops = Number(line?.split(',')[1]?.replace(/"/g, ''));
  if (!Number.isFinite(ops)) throw new Error(`could not read redis-benchmark output: ${stdout.slice(0, 300)}`);
  await ctx.redis.reset();
  ctx.limits.redisSetOps = ops;
  return row({
    scenario: 'limit: redis-benchmark SET', figure: ops, unit: 'ops/s',
    note: `${n} SETs, 64 clients, no pipelining, AOF everysec (same redis-server as Herald)`,
  });
}

export const limits: Scenario = async (ctx) => {
  return [
    ...(await attempt('limit: Fastify hello-world', () => hello(ctx))),
    ...(await attempt('limit: BullMQ Queue.add', () => bull(ctx, 'add'))),
    ...(await attempt('limit: BullMQ Worker', () => bull(ctx, 'process'))),
    ...(await attempt('limit: redis-benchmark SET', () => redisSet(ctx))),
  ];
};
