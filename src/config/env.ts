/**
 * Configuration: the environment, validated once at boot. The only module that reads
 * process.env (besides the CLI entry point); everything else receives a Config. Each
 * variable's `.describe()` is its line in `herald --help` and in the README's table
 * (scripts/config-table.ts); platform variables come from the registered adapters.
 */
import { z } from 'zod';
import { parseCidr } from '../media/url-policy.ts';
import { PLATFORMS, type PlatformName } from '../platform/port.ts';
import type { PlatformModule } from '../platform/registry.ts';
import { httpUrl, platformVariables } from './platform-variables.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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

const baseSchema = z.object({
  HERALD_MODE: z.enum(['sandbox', 'live']).default('sandbox')
    .describe('`sandbox`: built-in platform simulators and a demo creator; `live`: real platforms (requires `ADMIN_API_KEY`, `ENCRYPTION_KEY` and each platform\'s OAuth app credentials)'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP listen port'),
  HOST: z.string().min(1).default('127.0.0.1').describe('HTTP listen address'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional()
    .describe('external Redis (must use `maxmemory-policy noeviction`); unset: Herald runs its own `redis-server` child under `DATA_DIR`'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_{}-]+$/, 'letters, digits and : _ - { } only').default('herald').describe('key prefix for every Herald and BullMQ key'),
  DATA_DIR: z.string().min(1).default('./data').describe('Redis AOF, uploaded media, sandbox keys'),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional().describe('admin bearer key (at least 24 characters); required in live mode, generated in sandbox'),
  ENCRYPTION_KEY: encryptionKey.optional().describe('32 bytes as 64 hex characters (`openssl rand -hex 32`) that seal credentials at rest; required in live mode'),
  PUBLIC_URL: httpUrl.optional().describe('Herald\'s public base URL (OAuth callbacks, signed media URLs, the OpenAPI `servers`)'),
  HERALD_ALLOW_PRIVATE_URLS: bool.default(false).describe('`true` allows http and private/loopback media and webhook URLs (tests, sandbox, local fakes; warned about in live mode)'),
  HERALD_ALLOWED_PRIVATE_ADDRESSES: z.string().transform((v, ctx) => {
    const entries = v.split(',').map((e) => e.trim());
    const bad = entries.filter((e) => !parseCidr(e));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of CIDRs or addresses (10.0.0.0/8, fd00::/8); not: ${bad.map((b) => JSON.stringify(b)).join(', ')}` });
      return z.NEVER;
    }
    return entries;
  }).default([])
    .describe('comma-separated CIDRs or addresses exempt from the private-address rule for media URLs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20).describe('jobs in flight per platform queue per worker process'),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5).describe('attempts before a transient failure becomes `failed`'),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000).describe('how often the sweeper re-enqueues due deliveries that have no job'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024).describe('largest accepted JSON request body'),
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024).describe('largest accepted media upload'),
  MEDIA_QUOTA_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024 * 1024).describe('bytes of uploaded media one creator may hold'),
  MEDIA_MIN_FREE_BYTES: z.coerce.number().int().min(0).default(1024 * 1024 * 1024).describe('uploads are refused (507) when `DATA_DIR/media` has less free space than this'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000).describe('on SIGTERM, how long in-flight publishes may finish before being handed back'),
  PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000).describe('timeout of one platform HTTP call; a write that times out is `unknown`'),
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000).describe('job lock; a crashed worker\'s jobs resume after about this long'),
  SCHEDULE_LOOKAHEAD_MS: z.coerce.number().int().min(5_000).max(3_600_000).default(60_000)
    .describe('scheduled deliveries get their queue job this long before they are due; until then only Herald\'s due index holds them'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional()
    .describe('bearer token required on `/metrics` (at least 16 characters); unset: `/metrics` is open'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional()
    .describe('`herald worker` (no API) serves `/metrics` on this port; `api` and `all` serve it on `PORT`'),
});

/** The whole environment schema for these platforms: Herald's own variables and theirs. */
export function envSchema(modules: readonly PlatformModule[]) {
  const vars = platformVariables(modules);
  return baseSchema.extend(Object.fromEntries(vars.map((v) => [v.name, v.schema]))).superRefine((env, ctx) => {
    if (env.HERALD_MODE !== 'live') return;
    if (!env.ADMIN_API_KEY) ctx.addIssue({ code: 'custom', path: ['ADMIN_API_KEY'], message: 'is required in live mode' });
    if (!env.ENCRYPTION_KEY) ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEY'], message: 'is required in live mode (openssl rand -hex 32)' });
    const e = env as Record<string, unknown>;
    for (const v of vars) {
      if (v.requiredLive && e[v.name] === undefined) ctx.addIssue({ code: 'custom', path: [v.name], message: 'is required in live mode (the platform\'s OAuth app credentials)' });
    }
  });
}

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

/** Parse an environment for these platforms; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>, modules: readonly PlatformModule[]): Config {
  // Empty strings mean "unset" (docker-compose passes VAR= for unset values).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema(modules).safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })));
  }
  const e = parsed.data as z.infer<typeof baseSchema> & Record<string, string | undefined>;
  const platforms = Object.fromEntries(PLATFORMS.map((p) => [p, { extra: {} }])) as Record<PlatformName, PlatformConfig>;
  for (const v of platformVariables(modules)) {
    const value = e[v.name];
    if (value === undefined) continue;
    const c = platforms[v.platform];
    if (v.slot.kind === 'extra') c.extra[v.slot.key] = value;
    else c[v.slot.kind] = value;
  }
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

/** Every variable with its meaning and default: `herald --help` and the README's table. */
export function configVariables(modules: readonly PlatformModule[]): { name: string; help: string }[] {
  const withDefault = (help: string, schema: z.ZodType) => {
    const d = schema.safeParse(undefined);
    return d.success && d.data !== undefined ? `${help} (default \`${String(d.data)}\`)` : help;
  };
  return [
    ...Object.entries(baseSchema.shape).map(([name, schema]) => ({ name, help: withDefault(schema.description ?? '', schema) })),
    ...platformVariables(modules).map((v) => ({ name: v.name, help: withDefault(v.help, v.schema) })),
  ];
}
