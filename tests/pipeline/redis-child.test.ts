/**
 * `herald all` runs its own redis-server under DATA_DIR/redis. Issue 7 item 16: `kill -9` of
 * Herald orphaned it, and a restart started a second one on the same AOF. Real processes
 * throughout: `node bin/herald.mjs all` and redis-server. Linux only (it reads /proc to see
 * which redis-server processes run on the directory, as Herald itself does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, ENCRYPTION_KEY } from '../helpers/herald.ts';
import { freePort } from '../../src/store/redis-child.ts';

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) {
    for (const pid of redisServersOn(join(d, 'redis'))) process.kill(pid, 'SIGKILL');
    rmSync(d, { recursive: true, force: true });
  }
});

function dataDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'herald-child-')));
  dirs.push(d);
  return d;
}

/** redis-server processes whose working directory (redis chdirs to --dir) is `dir`. */
function redisServersOn(dir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() !== 'redis-server') continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readlinkSync(`/proc/${e}/cwd`) === dir) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startHerald(dir: string, port: number): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const env: Record<string, string | undefined> = {
    ...process.env, HERALD_MODE: 'sandbox', DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1',
    ADMIN_API_KEY: ADMIN_KEY, ENCRYPTION_KEY, LOG_LEVEL: 'warn',
  };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['bin/herald.mjs', 'all'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  started.push(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Started: the sandbox banner (printed once the demo data is seeded) names the API URL. */
async function ready(port: number, h: { child: ChildProcess; stdout: () => string; stderr: () => string }): Promise<void> {
  await until(`Herald on port ${port}`, 60_000, () => {
    if (h.child.exitCode !== null) throw new Error(`Herald exited: ${h.stderr()}`);
    return h.stdout().includes(`http://127.0.0.1:${port}/docs`) || undefined;
  });
}

describe.runIf(process.platform === 'linux')('one redis-server per data directory', () => {
  it('kill -9 of herald all takes its redis-server down, and a restart runs exactly one on that AOF', { timeout: 180_000 }, async () => {
    const dir = dataDir();
    const redisDir = join(dir, 'redis');
    const port = await freePort();
    const first = startHerald(dir, port);
    await ready(port, first);
    const [orphan] = redisServersOn(redisDir);
    expect(redisServersOn(redisDir)).toHaveLength(1);

    first.child.kill('SIGKILL');
    await first.exited;
    // The kernel sends the child SIGTERM when its parent dies (PR_SET_PDEATHSIG via setpriv).
    await until('the redis-server to exit with its parent', 20_000, () => redisServersOn(redisDir).length === 0 || undefined);

    const second = startHerald(dir, port);
    await ready(port, second);
    const now = redisServersOn(redisDir);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(orphan);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await until('the redis-server to stop with Herald', 20_000, () => redisServersOn(redisDir).length === 0 || undefined);
  });

  it('a redis-server left running on the directory is stopped before Herald starts its own', { timeout: 180_000 }, async () => {
    const dir = dataDir();
    const redisDir = join(dir, 'redis');
    mkdirSync(redisDir, { recursive: true });
    // What an orphan from an older Herald (or a system without setpriv) looks like.
    const leftover = spawn('redis-server', ['--port', String(await freePort()), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
    started.push(leftover);
    await until('the leftover redis-server', 20_000, () => redisServersOn(redisDir).includes(leftover.pid!) || undefined);

    const port = await freePort();
    const h = startHerald(dir, port);
    await ready(port, h);
    const now = redisServersOn(redisDir);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(leftover.pid);
    h.child.kill('SIGTERM');
    expect(await h.exited).toBe(0);
  });

  it('a second Herald on the same DATA_DIR refuses to start while the first runs', { timeout: 180_000 }, async () => {
    const dir = dataDir();
    const redisDir = join(dir, 'redis');
    const port = await freePort();
    const first = startHerald(dir, port);
    await ready(port, first);
    const second = startHerald(dir, await freePort());
    const code = await Promise.race([second.exited, until('the second Herald to exit', 60_000, () => undefined)]);
    expect(code).toBe(1);
    expect(second.stderr()).toContain('is in use by Herald process');
    expect(redisServersOn(redisDir)).toHaveLength(1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });
});
