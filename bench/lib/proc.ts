/**
 * Child processes of a bench run: spawned with their output in a log file, tracked so that
 * every one of them is killed when the run ends (normally, on an error or on a signal),
 * with a small typed IPC request/answer channel for the bench's own TypeScript children.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Ask a bench child (IPC) and wait for its answer. */
  ask<T>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Wait for a message of `type` sent by the child on its own. */
  waitFor<T>(type: string, timeoutMs: number): Promise<T>;
}

const live = new Set<ChildProcess>();

/** Pids of the children still running. */
export function livePids(): number[] {
  return [...live].flatMap((c) => (c.pid !== undefined && c.exitCode === null ? [c.pid] : []));
}

/** Kill every child still running (used on exit paths: cannot wait). */
export function killAllNow(): void {
  for (const c of live) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}
process.on('exit', killAllNow);

export function logTail(file: string, bytes = 3000): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8');
    return text.slice(Math.max(0, size - bytes)).trim();
  } catch {
    return '(no log)';
  }
}

interface IpcMessage {
  type: string;
  id?: number;
  error?: string;
  [k: string]: unknown;
}

export function spawnProc(
  name: string,
  command: string,
  args: string[],
  opts: { env: Record<string, string>; logDir: string; ipc?: boolean },
): Proc {
  const logFile = join(opts.logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: opts.env,
    stdio: opts.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not spawn ${name} (${command})`);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  let nextId = 1;
  const messageWaiters = new Set<(m: IpcMessage) => boolean>();
  child.on('message', (raw) => {
    const m = raw as IpcMessage;
    for (const w of [...messageWaiters]) if (w(m)) messageWaiters.delete(w);
  });

  function waitMessage<T>(match: (m: IpcMessage) => boolean, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        messageWaiters.delete(waiter);
        child.off('exit', onExit);
        fn();
      };
      const waiter = (m: IpcMessage) => {
        if (!match(m)) return false;
        done(() => (m.error ? reject(new Error(`${name}: ${m.error}`)) : resolve(m as unknown as T)));
        return true;
      };
      const onExit = (code: number | null) => done(() => reject(new Error(`${name} exited (code ${code}) while waiting for ${what}:\n${logTail(logFile)}`)));
      const timer = setTimeout(() => done(() => reject(new Error(`${name}: no ${what} within ${timeoutMs} ms:\n${logTail(logFile)}`))), timeoutMs);
      messageWaiters.add(waiter);
      child.once('exit', onExit);
    });
  }

  return {
    name,
    pid: child.pid,
    child,
    logFile,
    async stop(graceMs = 8_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    ask<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000) {
      const id = nextId++;
      const answer = waitMessage<T>((m) => m.type === 'answer' && m.id === id, `answer to ${cmd}`, timeoutMs);
      child.send({ type: 'ask', id, cmd, ...args });
      return answer;
    },
    waitFor<T>(type: string, timeoutMs: number) {
      return waitMessage<T>((m) => m.type === type, `"${type}" message`, timeoutMs);
    },
  };
}

/** A bench child written in TypeScript (bench/children/*.ts), run through tsx, with IPC. */
export function spawnTsChild(name: string, script: string, params: unknown, env: Record<string, string>, logDir: string): Proc {
  return spawnProc(name, process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'children', script), JSON.stringify(params)], { env, logDir, ipc: true });
}

/** The environment children start from: a few basics, never the caller's Herald/Redis settings. */
export function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Resident set size now and its high-water mark, in bytes, from /proc/<pid>/status. */
export function memOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `check` every `everyMs` until it returns a value, or throw after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (USER_HZ = 100),
 * including its children it has reaped (Redis's AOF-rewrite forks, for instance).
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds used by each named process between two calls. */
export function cpuMeter(procs: Record<string, number>): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuSeconds(pid)]));
  return () => Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, Math.round((cpuSeconds(pid) - before[k]!) * 100) / 100]));
}
