/**
 * One redis-server per data directory (issue 7 item 16). `kill -9` of `herald all` used to
 * leave its redis-server running, and the next start ran a second one on the same AOF.
 *
 * - `lockDataDir`: a lock file holding the owner's pid; a live owner refuses a second start,
 *   a dead one's lock is taken over.
 * - `stopLeftoverRedis`: a redis-server still running on the directory (from its pid file, or
 *   on Linux any redis-server whose working directory it is, which catches ones started
 *   before the pid file existed) gets SIGTERM, which makes it flush its AOF and exit, before
 *   a new one starts. Stopping rather than adopting keeps one code path: the new child is
 *   always ours, with our port and options.
 * - `parentDeathWrapper`: on Linux, `setpriv --pdeathsig TERM` (util-linux) sets
 *   PR_SET_PDEATHSIG on the child, so the kernel sends it SIGTERM when Herald dies, even by
 *   SIGKILL. Node has no prctl of its own. Elsewhere (macOS, no setpriv) the child outlives
 *   a killed Herald until the next start stops it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** How long a leftover redis-server gets to flush its AOF and exit after SIGTERM. */
const LEFTOVER_STOP_MS = 15_000;
const POLL_MS = 50;

export const pidFile = (dataDir: string) => join(dataDir, 'redis-server.pid');
const lockFile = (dataDir: string) => join(dataDir, 'herald.lock');

/** Directories this process holds the lock of (a pid can come back after a restart, e.g. pid 1 in a container). */
const held = new Set<string>();

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}

/** The executable name of a process (Linux /proc, else `ps`), or undefined. */
function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' });
    const name = ps.status === 0 ? ps.stdout.trim() : '';
    return name === '' ? undefined : name.split('/').pop();
  }
}

export function lockDataDir(dataDir: string): { release(): void } {
  const dir = realpathSync(dataDir);
  const path = lockFile(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readPid(path);
      const ours = owner === process.pid && held.has(dir);
      if (owner !== undefined && (ours || (owner !== process.pid && alive(owner) && /node|herald/i.test(processName(owner) ?? 'node')))) {
        throw new Error(`${dir} is in use by Herald process ${owner} (lock file ${path}); stop that process first, or use another DATA_DIR`);
      }
      try {
        unlinkSync(path); // its owner is gone: take the lock over
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    held.add(dir);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.delete(dir);
      process.off('exit', release);
      if (readPid(path) === process.pid) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    };
    process.on('exit', release);
    return { release };
  }
  throw new Error(`could not lock ${dir}: another process took ${path} at the same time`);
}

/** redis-server processes running on `dataDir`: its pid file, and on Linux every one whose cwd it is. */
function redisServersOn(dataDir: string): number[] {
  const dir = realpathSync(dataDir);
  const found = new Set<number>();
  const fromFile = readPid(pidFile(dir));
  if (fromFile !== undefined && alive(fromFile) && processName(fromFile) === 'redis-server') found.add(fromFile);
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    // not Linux: the pid file is all there is
  }
  for (const e of entries) {
    const pid = Number(e);
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'redis-server') continue;
      if (readlinkSync(`/proc/${pid}/cwd`) === dir && alive(pid)) found.add(pid);
    } catch {
      // exited meanwhile, or not ours to inspect
    }
  }
  return [...found];
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

/** Stops any redis-server left running on `dataDir` (SIGTERM: it flushes the AOF and exits). */
export async function stopLeftoverRedis(dataDir: string): Promise<number[]> {
  const pids = redisServersOn(dataDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue; // gone already
    }
    if (await waitGone(pid, LEFTOVER_STOP_MS)) continue;
    process.kill(pid, 'SIGKILL');
    if (!(await waitGone(pid, LEFTOVER_STOP_MS))) throw new Error(`redis-server ${pid} on ${dataDir} did not stop`);
  }
  return pids;
}

let setprivChecked: boolean | undefined;

/** argv with `setpriv --pdeathsig TERM --` in front where that is available (Linux). */
export function parentDeathWrapper(argv: string[]): string[] {
  if (process.platform !== 'linux') return argv;
  if (setprivChecked === undefined) {
    const help = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    setprivChecked = help.status === 0 && help.stdout.includes('--pdeathsig');
  }
  return setprivChecked ? ['setpriv', '--pdeathsig', 'TERM', '--', ...argv] : argv;
}
