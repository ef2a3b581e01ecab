/**
 * npm run bench [-- --quick] [-- --only=accept,e2e]
 * Starts its own redis-server and Herald processes, runs each scenario, prints a table and
 * writes bench/results.json. Quick mode: `--quick`, BENCH_QUICK=1, or `npm run bench --quick`.
 * BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir={dir}" profiles the Herald processes;
 * BENCH_KEEP=1 keeps the run directory (logs, profiles; Redis data is always removed);
 * BENCH_REDIS_CONFIG="name value; ..." applies CONFIG SET to the run's redis-server.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sizes, type Ctx, type Scenario } from './lib/context.ts';
import { heraldRuntime } from './lib/herald.ts';
import { foreignCpu, waitForQuiet } from './lib/machine.ts';
import { killAllNow, livePids, ROOT } from './lib/proc.ts';
import { startBenchRedis, type BenchRedis } from './lib/redis.ts';
import { attempt, tableLines, writeResults, type Machine, type Row } from './lib/results.ts';
import { accept } from './scenarios/accept.ts';
import { e2e } from './scenarios/e2e.ts';
import { limits } from './scenarios/limits.ts';
import { memory } from './scenarios/memory.ts';
import { scheduling } from './scenarios/scheduling.ts';
import { streaming } from './scenarios/streaming.ts';

const SCENARIOS: [string, Scenario][] = [
  ['limits', limits], ['accept', accept], ['e2e', e2e], ['scheduling', scheduling], ['memory', memory], ['streaming', streaming],
];

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v !== 'false';
const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || truthy(process.env.BENCH_QUICK) || truthy(process.env.npm_config_quick);
const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice(7) ?? process.env.BENCH_ONLY;
const only = onlyArg ? onlyArg.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
const unknown = only?.filter((o) => !SCENARIOS.some(([n]) => n === o)) ?? [];
if (unknown.length) {
  process.stderr.write(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map(([n]) => n).join(', ')}\n`);
  process.exit(2);
}

const started = Date.now();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
const log = (m: string) => process.stderr.write(`${stamp()} ${m}\n`);

const runDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
const logDir = join(runDir, 'logs');
mkdirSync(logDir, { recursive: true });
let redis: BenchRedis | undefined;
let redisPid: number | undefined;
process.on('exit', () => {
  killAllNow();
  if (redisPid) {
    try {
      process.kill(redisPid, 'SIGKILL');
    } catch {
      // already stopped
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping every child process`);
    process.exit(130);
  });
}

/** The code being measured: commit plus any uncommitted change to it (bench/ excluded). */
function codeState(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n').filter(Boolean).length;
    return dirty ? `${commit}+${dirty} uncommitted` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
const codeAtStart = codeState();

function machine(redisVersion: string): Machine {
  const atEnd = codeState();
  const commit = atEnd === codeAtStart ? atEnd : `CHANGED DURING THE RUN: ${codeAtStart} → ${atEnd}`;
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version, redis: redisVersion, platform: `${process.platform} ${process.arch}`, date: new Date().toISOString(), quick, commit, loadAtStart, heraldRuntime: heraldRuntime(),
    overrides: Object.fromEntries(['BENCH_REDIS_CONFIG', 'BENCH_NODE_FLAGS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
  };
}

async function main(): Promise<number> {
  log(`Herald bench (${quick ? 'quick' : 'full'}) of ${codeAtStart}; run directory ${runDir}`);
  redis = await startBenchRedis(runDir);
  redisPid = redis.pid;
  let n = 0;
  const ctx: Ctx = {
    quick, sizes: sizes(quick), runDir, logDir, redis, limits: {},
    prefix: (name) => `bench${++n}${name.replace(/[^A-Za-z0-9]/g, '')}`,
    log,
  };
  const rows: Row[] = [];
  const durations: Record<string, number> = {};
  const foreign: Record<string, { cpuSeconds: number; shareOfOneCpu: number }> = {};
  const pids = () => [...livePids(), redis!.pid];
  let waitBudgetMs = quick ? 40_000 : 180_000;
  for (const [name, scenario] of SCENARIOS) {
    if (only && !only.includes(name)) continue;
    await redis.reset();
    // Bounded over the whole run, so a busy machine cannot stretch the run past its time budget.
    const quiet = await waitForQuiet(pids, Math.max(0, waitBudgetMs));
    waitBudgetMs -= quiet.waitedMs;
    if (quiet.waitedMs > 2_500) log(`waited ${Math.round(quiet.waitedMs / 1000)} s for other processes to quiet down (now ${Math.round(quiet.foreignShare * 100)}% of a CPU)`);
    log(`scenario ${name}`);
    const t0 = Date.now();
    const others = foreignCpu(pids);
    rows.push(...(await attempt(name, () => scenario(ctx))));
    durations[name] = Math.round((Date.now() - t0) / 100) / 10;
    const cpuSeconds = Math.round(others() * 10) / 10;
    foreign[name] = { cpuSeconds, shareOfOneCpu: Math.round((cpuSeconds / durations[name]!) * 100) / 100 };
    log(`scenario ${name} done in ${durations[name]} s; other processes used ${cpuSeconds} CPU s meanwhile`);
  }
  const totalSeconds = Math.round((Date.now() - started) / 100) / 10;
  const m = machine(redis.version);
  const header = `Herald bench, ${quick ? 'quick' : 'full'} run: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Redis ${m.redis}, ${m.date}, commit ${m.commit} (${m.heraldRuntime}), load before start ${m.loadAtStart.join('/')}, ${totalSeconds} s${Object.keys(m.overrides).length ? `, overrides ${JSON.stringify(m.overrides)}` : ''}`;
  process.stdout.write(`\n${header}\n\n${tableLines(rows).join('\n')}\n\n`);
  for (const [name, f] of Object.entries(foreign)) {
    // The kernel's own work for the bench (disk writeback of the AOF) counts here too: about 10% is normal.
    if (f.shareOfOneCpu > 0.25) process.stdout.write(`WARNING: while "${name}" ran, other processes used ${f.cpuSeconds} CPU s (${Math.round(f.shareOfOneCpu * 100)}% of one CPU): its figures are understated.\n`);
  }
  const file = join(ROOT, 'bench', 'results.json');
  writeResults(file, { machine: m, rows, durations, foreignCpu: foreign, totalSeconds });
  const failed = rows.filter((r) => r.pass === false).length;
  const errors = rows.filter((r) => r.pass === 'error').length;
  const passed = rows.filter((r) => r.pass === true).length;
  process.stdout.write(`targets: ${passed} pass, ${failed} fail${errors ? `, ${errors} errors` : ''}; wrote ${file}\n`);
  return errors ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  killAllNow();
  await redis?.stop().catch(() => {});
  redisPid = undefined;
  if (code === 0 && !truthy(process.env.BENCH_KEEP)) rmSync(runDir, { recursive: true, force: true });
  else {
    rmSync(join(runDir, 'redis'), { recursive: true, force: true });
    log(`kept ${runDir} (logs under logs/)`);
  }
}
process.exit(code);
