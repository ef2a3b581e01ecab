/**
 * Real Herald processes for the bench (`node bin/herald.mjs api|worker`), configured only
 * through the environment like production, plus a small HTTP client for its API.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../../src/store/redis-child.ts';
import { baseEnv, ROOT, spawnProc, until, type Proc } from './proc.ts';
import { BUNDLE, bundleIsFresh } from '../../scripts/bundle.mjs';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
export const ENCRYPTION_KEY = 'b'.repeat(64);
const PLATFORMS = ['x', 'linkedin', 'youtube'] as const;

export interface HeraldSetup {
  name: string;
  redisUrl: string;
  prefix: string;
  runDir: string;
  logDir: string;
  mode?: 'live' | 'sandbox';
  /** Origin of each platform's API (simulators or the no-op server). */
  platformUrls: Partial<Record<(typeof PLATFORMS)[number], string>>;
  env?: Record<string, string>;
  /** Node flags for the Herald processes, e.g. --cpu-prof (BENCH_NODE_FLAGS). */
  nodeFlags?: string[];
}

export interface HeraldApi {
  proc: Proc;
  url: string;
}

function heraldEnv(s: HeraldSetup, port: number): Record<string, string> {
  const dataDir = join(s.runDir, 'herald-data', s.name);
  mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string> = {
    ...baseEnv(),
    HERALD_MODE: s.mode ?? 'live', HOST: '127.0.0.1', PORT: String(port), REDIS_URL: s.redisUrl, REDIS_PREFIX: s.prefix,
    DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN_KEY, ENCRYPTION_KEY, LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '100',
    SHUTDOWN_TIMEOUT_MS: '3000',
  };
  // Every platform URL is set explicitly, so nothing ever reaches a real platform.
  const fallback = s.platformUrls.x ?? 'http://127.0.0.1:9';
  for (const p of PLATFORMS) env[`PLATFORM_${p.toUpperCase()}_URL`] = s.platformUrls[p] ?? fallback;
  if (s.mode === 'sandbox') Object.assign(env, { X_CLIENT_ID: 'bench', YOUTUBE_CLIENT_ID: 'bench', YOUTUBE_CLIENT_SECRET: 'bench', LINKEDIN_CLIENT_ID: 'bench', LINKEDIN_CLIENT_SECRET: 'bench' });
  return { ...env, ...s.env };
}

function flags(s: HeraldSetup, role: string): string[] {
  const extra = s.nodeFlags ?? (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return extra.map((f) => f.replace('{dir}', join(s.runDir, 'profiles', `${s.name}-${role}`)));
}

export async function startApi(s: HeraldSetup): Promise<HeraldApi> {
  const port = await freePort();
  const proc = spawnProc(`${s.name}-api`, process.execPath, [...flags(s, 'api'), 'bin/herald.mjs', 'api'], { env: heraldEnv(s, port), logDir: s.logDir });
  const url = `http://127.0.0.1:${port}`;
  await until(`${proc.name} to answer /healthz`, 60_000, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}; see ${proc.logFile}`);
    try {
      const res = await fetch(`${url}/healthz`);
      return res.ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, 100);
  return { proc, url };
}

/** Start a worker process and wait until its BullMQ workers are connected to Redis. */
export async function startWorker(s: HeraldSetup, platform: (typeof PLATFORMS)[number] = 'x'): Promise<Proc> {
  const proc = spawnProc(`${s.name}-worker`, process.execPath, [...flags(s, 'worker'), 'bin/herald.mjs', 'worker'], { env: heraldEnv(s, 0), logDir: s.logDir });
  const conn = new Redis(s.redisUrl, { maxRetriesPerRequest: null });
  const q = new Queue(`publish-${platform}`, { connection: conn, prefix: `${s.prefix}:q` });
  try {
    await until(`${proc.name} to connect its BullMQ workers`, 60_000, async () => {
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}; see ${proc.logFile}`);
      return (await q.getWorkersCount()) > 0 ? true : undefined;
    }, 100);
  } finally {
    await q.close();
    conn.disconnect();
  }
  return proc;
}

export class ApiClient {
  constructor(readonly url: string, readonly key: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export interface AccountSpec {
  platform: 'x' | 'youtube' | 'linkedin';
  externalId: string;
  handle?: string;
  credentials: { accessToken: string; refreshToken?: string; expiresAt?: string; [k: string]: unknown };
}

/** A creator (through the admin API) with the given accounts connected; returns its key and account ids. */
export async function creatorWithAccounts(apiUrl: string, accounts: AccountSpec[]): Promise<{ key: string; accountIds: string[]; client: ApiClient }> {
  const admin = new ApiClient(apiUrl, ADMIN_KEY);
  const { apiKey } = await admin.call<{ apiKey: string }>('POST', '/v1/admin/creators', { name: 'bench' });
  const client = new ApiClient(apiUrl, apiKey);
  const accountIds: string[] = [];
  for (const a of accounts) {
    const created = await client.call<{ id: string }>('POST', '/v1/accounts', a);
    accountIds.push(created.id);
  }
  return { key: apiKey, accountIds, client };
}

/** X accounts for a platform that checks nothing (the no-op server): numeric ids, long-lived tokens. */
export function noopXAccounts(n: number): AccountSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    platform: 'x' as const,
    externalId: String(1700000000000000000n + BigInt(i + 1)),
    handle: `bench_${i + 1}`,
    credentials: { accessToken: `bench-token-${i + 1}`, expiresAt: '2099-01-01T00:00:00Z' },
  }));
}

/** Number of deliveries in a status: Herald's status counters, or its status index (older layouts). */
export async function statusCount(redis: Redis, prefix: string, status: string): Promise<number> {
  const counted = await redis.hget(`${prefix}:deliveries:counts`, status);
  if (counted !== null) return Number(counted);
  return redis.zcard(`${prefix}:deliveries:status:${status}`);
}

/** Largest score (= time of the transition, ms) in a status index. */
export async function lastTransition(redis: Redis, prefix: string, status: string): Promise<number> {
  const r = await redis.zrevrange(`${prefix}:deliveries:status:${status}`, 0, 0, 'WITHSCORES');
  return Number(r[1] ?? NaN);
}

export async function statusCounts(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const st of ['scheduled', 'queued', 'publishing', 'processing', 'published', 'retrying', 'failed', 'unknown']) {
    const n = await statusCount(redis, prefix, st);
    if (n > 0) out[st] = n;
  }
  return out;
}

/** What `node bin/herald.mjs` runs: the esbuild bundle when it is fresh, else the sources through tsx. */
export function heraldRuntime(): string {
  if (!existsSync(join(ROOT, BUNDLE))) return 'TypeScript sources through tsx';
  const fresh = bundleIsFresh(ROOT);
  return fresh ? 'bundle dist/herald.js' : 'TypeScript sources through tsx (dist/herald.js is stale)';
}
