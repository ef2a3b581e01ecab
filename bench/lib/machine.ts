/**
 * Is anything else using the CPUs? Other jobs on the machine (a test run, a linter) skew every
 * figure, so the bench waits for a quiet machine before each scenario and reports the CPU
 * used by processes that are not its own while the scenario ran.
 */
import { readFileSync } from 'node:fs';
import { cpuSeconds, sleep } from './proc.ts';

const HZ = 100;

/** CPU seconds the whole machine has been busy (all CPUs, steal included). */
function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return busy / HZ;
}

/** CPU seconds of this process and of the children it has already reaped. */
function ownSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / HZ;
}

/** Our processes' CPU: this one, reaped children, and the live ones (`pids`: Redis and any still running). */
function oursSeconds(pids: () => number[]): number {
  return ownSeconds() + pids().reduce((a, pid) => a + (Number.isFinite(cpuSeconds(pid)) ? cpuSeconds(pid) : 0), 0);
}

/** Foreign CPU seconds between start and the returned function's call (kernel work such as disk writeback included). */
export function foreignCpu(pids: () => number[]): () => number {
  const busy0 = machineBusySeconds();
  const ours0 = oursSeconds(pids);
  return () => Math.max(0, machineBusySeconds() - busy0 - (oursSeconds(pids) - ours0));
}

/** Wait (about `maxMs` at most) until a 2-second window shows other processes using under `share` of one CPU. */
export async function waitForQuiet(pids: () => number[], maxMs: number, share = 0.15): Promise<{ waitedMs: number; foreignShare: number }> {
  const t0 = Date.now();
  for (;;) {
    const meter = foreignCpu(pids);
    await sleep(2_000);
    const foreignShare = meter() / 2;
    if (foreignShare < share || Date.now() - t0 + 2_000 > maxMs) return { waitedMs: Date.now() - t0, foreignShare };
  }
}
