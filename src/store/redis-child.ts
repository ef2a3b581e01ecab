/**
 * Runs redis-server as a child process (sandbox mode, tests, bench): free port,
 * AOF with appendfsync everysec, maxmemory-policy noeviction, data under dataDir.
 *
 * One redis-server per data directory, even after `kill -9` of the process that started it
 * (issue 7 item 16; see redis-child-guard.ts): the directory is locked, a redis-server left
 * running on it is stopped before a new one starts, and on Linux the child gets SIGTERM
 * when its parent dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { lockDataDir, parentDeathWrapper, pidFile, stopLeftoverRedis } from './redis-child-guard.ts';

export interface RedisChild {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(opts: { dataDir: string; appendOnly?: boolean; port?: number; binary?: string }): Promise<RedisChild> {
  mkdirSync(opts.dataDir, { recursive: true });
  const lock = lockDataDir(opts.dataDir);
  try {
    return await startLocked(opts, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(opts: { dataDir: string; appendOnly?: boolean; port?: number; binary?: string }, release: () => void): Promise<RedisChild> {
  await stopLeftoverRedis(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dataDir,
    '--appendonly', opts.appendOnly === false ? 'no' : 'yes', '--appendfsync', 'everysec',
    '--save', '', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes',
    '--daemonize', 'no', '--loglevel', 'warning', '--pidfile', pidFile(opts.dataDir),
  ];
  const binary = opts.binary ?? 'redis-server';
  const [command, ...commandArgs] = parentDeathWrapper([binary, ...args]);
  const proc = spawn(command!, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) => {
    const hint = 'Install it with: apt-get install -y redis-server';
    proc.once('error', (err) => reject(new Error(`could not start ${binary}: ${err.message}. ${hint}`)));
    // 127: setpriv (the parent-death wrapper) could not execute the binary.
    proc.once('exit', (code) => reject(new Error(code === 127 ? `could not start ${binary}: ${stderr.trim()}. ${hint}` : `${binary} exited with code ${code} during start: ${stderr.trim()}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForPing(url), exited]);
  proc.removeAllListeners('exit');
  return {
    url,
    port,
    process: proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await done;
        clearTimeout(timer);
      }
      release();
    },
  };
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // connection refused while redis-server starts: expected, retried below
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server on ${url} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
