/**
 * The run's own redis-server, with production settings (AOF appendfsync everysec,
 * noeviction: src/store/redis-child.ts), emptied between scenarios.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisChild } from '../../src/store/redis-child.ts';
import { sleep, until } from './proc.ts';

export interface BenchRedis {
  url: string;
  port: number;
  pid: number;
  client: Redis;
  version: string;
  info(section: string): Promise<Record<string, string>>;
  /** FLUSHALL, then rewrite the AOF so the next scenario starts from an empty, compact dataset. */
  reset(): Promise<void>;
  /** Wait until no AOF rewrite runs (a fork competing for the CPU would skew a measurement). */
  quiesce(): Promise<void>;
  stop(): Promise<void>;
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function startBenchRedis(runDir: string): Promise<BenchRedis> {
  const child: RedisChild = await startRedisServer({ dataDir: join(runDir, 'redis'), appendOnly: true });
  const client = new Redis(child.url, { maxRetriesPerRequest: 3 });
  const info = async (section: string) => parseInfo(await client.info(section));
  const version = (await info('server')).redis_version ?? 'unknown';
  // Try a server setting without touching Herald: BENCH_REDIS_CONFIG="hash-max-listpack-value 128; ...".
  for (const setting of (process.env.BENCH_REDIS_CONFIG ?? '').split(';').map((x) => x.trim()).filter(Boolean)) {
    const [name, ...value] = setting.split(/\s+/);
    await client.call('CONFIG', 'SET', name!, value.join(' '));
  }
  const quiesce = async () => {
    await until('AOF rewrite to finish', 300_000, async () => {
      const p = await info('persistence');
      return p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0' ? true : undefined;
    }, 200);
  };
  return {
    url: child.url,
    port: child.port,
    pid: child.process.pid ?? -1,
    client,
    version,
    info,
    quiesce,
    async reset() {
      await quiesce();
      await client.flushall();
      // An automatic rewrite may have started on its own since quiesce(): that one will do.
      await client.call('BGREWRITEAOF').catch((err: Error) => {
        if (!/already in progress/i.test(err.message)) throw err;
      });
      await sleep(100);
      await quiesce();
      await client.call('CONFIG', 'RESETSTAT');
    },
    async stop() {
      client.disconnect();
      await child.stop();
    },
  };
}

/** Calls per command from INFO commandstats (commands run inside Lua scripts included). */
export async function commandCalls(redis: BenchRedis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(await redis.info('commandstats'))) {
    const calls = /calls=(\d+)/.exec(v);
    if (k.startsWith('cmdstat_') && calls) out[k.slice(8)] = Number(calls[1]);
  }
  return out;
}

/** Commands per unit of work (e.g. per accepted post), biggest first, CONFIG/INFO left out. */
export function perUnit(calls: Record<string, number>, units: number): { total: number; byCommand: Record<string, number> } {
  const entries = Object.entries(calls).filter(([c]) => !/^(config|info|ping|client|hello|select)/.test(c)).sort((a, b) => b[1] - a[1]);
  const round = (n: number) => Math.round((n / units) * 100) / 100;
  return { total: round(entries.reduce((a, [, n]) => a + n, 0)), byCommand: Object.fromEntries(entries.map(([c, n]) => [c, round(n)])) };
}
