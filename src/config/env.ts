/**
 * Configuration: the environment, validated once at boot. The only module that reads
 * process.env (besides the CLI entry point); everything else receives a Config.
 */
import { z } from 'zod';
import { parseCidr } from '../media/url-policy.ts';
import { PLATFORMS, type PlatformName } from '../platform/port.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** 32 bytes as 64 hex characters or base64 (44 chars). */
const encryptionKey = z.string().transform((v, ctx) => {
  const s = v.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(s) ? Buffer.from(s, 'base64') : undefined;
  if (!buf || buf.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes: 64 hex characters or 44 base64 characters (openssl rand -hex 32)' });
    return z.NEVER;
  }
  return buf;
});

const platformEnvName = (p: PlatformName) => p.toUpperCase();

const baseSchema = z.object({
  HERALD_MODE: z.enum(['sandbox', 'live']).default('sandbox'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_{}-]+$/, 'letters, digits and : _ - { } only').default('herald'),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  ENCRYPTION_KEY: encryptionKey.optional(),
  PUBLIC_URL: httpUrl.optional(),
  HERALD_ALLOW_PRIVATE_URLS: bool.default(false),
  HERALD_ALLOWED_PRIVATE_ADDRESSES: z.string().transform((v, ctx) => {
    const entries = v.split(',').map((e) => e.trim());
    const bad = entries.filter((e) => !parseCidr(e));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of CIDRs or addresses (10.0.0.0/8, fd00::/8); not: ${bad.map((b) => JSON.stringify(b)).join(', ')}` });
      return z.NEVER;
    }
    return entries;
  }).default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024),
  MEDIA_QUOTA_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024 * 1024),
  MEDIA_MIN_FREE_BYTES: z.coerce.number().int().min(0).default(1024 * 1024 * 1024),
  LINKEDIN_API_VERSION: z.string().regex(/^\d{6}$/, 'must be YYYYMM, e.g. 202601').default('202601'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  SCHEDULE_LOOKAHEAD_MS: z.coerce.number().int().min(5_000).max(3_600_000).default(60_000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

const platformShape: Record<string, z.ZodType> = {};
for (const p of PLATFORMS) {
  platformShape[`PLATFORM_${platformEnvName(p)}_URL`] = httpUrl.optional();
  platformShape[`${platformEnvName(p)}_CLIENT_ID`] = z.string().min(1).optional();
  platformShape[`${platformEnvName(p)}_CLIENT_SECRET`] = z.string().min(1).optional();
}

export const envSchema = baseSchema.extend(platformShape).superRefine((env, ctx) => {
  if (env.HERALD_MODE === 'live') {
    if (!env.ADMIN_API_KEY) ctx.addIssue({ code: 'custom', path: ['ADMIN_API_KEY'], message: 'is required in live mode' });
    if (!env.ENCRYPTION_KEY) ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEY'], message: 'is required in live mode (openssl rand -hex 32)' });
  }
});

export interface PlatformConfig {
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  extra: Record<string, string>;
}

export interface Config {
  mode: 'sandbox' | 'live';
  port: number;
  host: string;
  redisUrl?: string;
  redisPrefix: string;
  dataDir: string;
  adminApiKey?: string;
  encryptionKey?: Buffer;
  publicUrl?: string;
  allowPrivateUrls: boolean;
  /** CIDRs exempted from the private-address rule (HERALD_ALLOWED_PRIVATE_ADDRESSES). */
  allowedPrivateAddresses: string[];
  logLevel: string;
  workerConcurrency: number;
  maxAttempts: number;
  sweepIntervalMs: number;
  bodyLimitBytes: number;
  mediaMaxBytes: number;
  /** Bytes of uploads one creator may hold (MEDIA_QUOTA_BYTES). */
  mediaQuotaBytes: number;
  /** Uploads are refused when DATA_DIR/media has less free space than this (MEDIA_MIN_FREE_BYTES). */
  mediaMinFreeBytes: number;
  shutdownTimeoutMs: number;
  platformTimeoutMs: number;
  workerLockMs: number;
  scheduleLookaheadMs: number;
  /** Bearer token for /metrics; unset: /metrics is open. */
  metricsToken?: string;
  /** Worker-only processes serve /metrics on this port (they have no API). */
  metricsPort?: number;
  platforms: Record<PlatformName, PlatformConfig>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
  }
}

/** Parse an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (docker-compose passes VAR= for unset values).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })));
  }
  const e = parsed.data as z.infer<typeof baseSchema> & Record<string, string | undefined>;
  const platforms = {} as Record<PlatformName, PlatformConfig>;
  for (const p of PLATFORMS) {
    const n = platformEnvName(p);
    platforms[p] = {
      baseUrl: e[`PLATFORM_${n}_URL`],
      clientId: e[`${n}_CLIENT_ID`],
      clientSecret: e[`${n}_CLIENT_SECRET`],
      extra: {},
    };
  }
  platforms.linkedin.extra.apiVersion = e.LINKEDIN_API_VERSION;
  return {
    mode: e.HERALD_MODE,
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    dataDir: e.DATA_DIR,
    adminApiKey: e.ADMIN_API_KEY,
    encryptionKey: e.ENCRYPTION_KEY,
    publicUrl: e.PUBLIC_URL,
    allowPrivateUrls: e.HERALD_ALLOW_PRIVATE_URLS,
    allowedPrivateAddresses: e.HERALD_ALLOWED_PRIVATE_ADDRESSES,
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    maxAttempts: e.MAX_ATTEMPTS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    mediaMaxBytes: e.MEDIA_MAX_BYTES,
    mediaQuotaBytes: e.MEDIA_QUOTA_BYTES,
    mediaMinFreeBytes: e.MEDIA_MIN_FREE_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    platformTimeoutMs: e.PLATFORM_TIMEOUT_MS,
    workerLockMs: e.WORKER_LOCK_MS,
    scheduleLookaheadMs: e.SCHEDULE_LOOKAHEAD_MS,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    platforms,
  };
}

/** The documented variables, for --help. */
export const ENV_HELP: [string, string][] = [
  ['HERALD_MODE', 'sandbox (default: built-in platform simulators, demo creator) or live'],
  ['PORT / HOST', 'HTTP listen address (default 3000 / 127.0.0.1)'],
  ['REDIS_URL', 'external Redis (must use maxmemory-policy noeviction); unset: Herald runs its own redis-server under DATA_DIR'],
  ['REDIS_PREFIX', 'key prefix for every Herald and BullMQ key (default herald)'],
  ['DATA_DIR', 'data directory: Redis AOF, uploaded media, sandbox keys (default ./data)'],
  ['ADMIN_API_KEY', 'admin bearer key (>= 24 chars); required in live mode, generated in sandbox'],
  ['ENCRYPTION_KEY', '32-byte key (64 hex chars) for credentials at rest; required in live mode'],
  ['PUBLIC_URL', 'public base URL of this Herald (OAuth callbacks, signed media URLs)'],
  ['HERALD_ALLOW_PRIVATE_URLS', 'true allows http and private/loopback media and webhook URLs (tests, sandbox, local fakes; warned about in live mode)'],
  ['HERALD_ALLOWED_PRIVATE_ADDRESSES', 'comma-separated CIDRs exempted from the private-address rule, e.g. 10.20.0.0/16 (media on private storage)'],
  ['WORKER_CONCURRENCY', 'jobs in flight per platform queue per worker process (default 20)'],
  ['MAX_ATTEMPTS', 'attempts before a transient failure becomes failed (default 5)'],
  ['SWEEP_INTERVAL_MS', 'how often the sweeper re-enqueues due deliveries without a job (default 30000)'],
  ['BODY_LIMIT_BYTES', 'largest accepted JSON request body (default 1 MiB)'],
  ['PLATFORM_TIMEOUT_MS', 'timeout of one platform HTTP call (default 30000); a write that times out is unknown'],
  ['WORKER_LOCK_MS', 'job lock; a crashed worker\'s jobs are picked up after about this long (default 30000)'],
  ['SCHEDULE_LOOKAHEAD_MS', 'scheduled deliveries get their queue job this long before they are due (default 60000)'],
  ['SHUTDOWN_TIMEOUT_MS', 'on SIGTERM, how long in-flight publishes may finish before being handed back (default 25000)'],
  ['METRICS_TOKEN', 'bearer token required on /metrics (>= 16 chars); unset: /metrics is open'],
  ['METRICS_PORT', 'herald worker (no API) serves /metrics on this port; api and all serve it on PORT'],
  ['LINKEDIN_API_VERSION', 'LinkedIn-Version header, YYYYMM (default 202601)'],
  ['PLATFORM_<NAME>_URL', 'replace scheme+host of every call an adapter makes (simulators, proxies)'],
  ['<NAME>_CLIENT_ID / <NAME>_CLIENT_SECRET', 'OAuth app credentials per platform (X_, LINKEDIN_, YOUTUBE_)'],
];
