/**
 * Blocked-until windows (account and platform rate limits) as an atomic maximum in Redis.
 * Two runs that learn of a rate limit at the same time must not shorten each other's window:
 * a read in TypeScript followed by a write lets the smaller value land last.
 *
 * Plain EVAL: the scripts are a few lines and run rarely (on a rate limit), so there is no
 * script cache to keep loaded.
 */
import type { Redis } from 'ioredis';

// KEYS[1] account hash. ARGV[1] until (ms). A deleted account is not recreated.
const ACCOUNT_MAX = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], 'blockedUntil') or '0') or 0
if tonumber(ARGV[1]) <= cur then return 0 end
redis.call('HSET', KEYS[1], 'blockedUntil', ARGV[1])
return 1
`;

// KEYS[1] platform block key. ARGV[1] until (ms), ARGV[2] time to live (ms).
const PLATFORM_MAX = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tonumber(ARGV[1]) <= cur then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** Extends (never shortens) an account's window; true when this call extended it. */
export async function extendAccountBlock(redis: Redis, accountKey: string, until: number): Promise<boolean> {
  return (await redis.eval(ACCOUNT_MAX, 1, accountKey, String(until))) === 1;
}

/** Extends (never shortens) a platform's window; the key expires when the window ends. */
export async function extendPlatformBlock(redis: Redis, key: string, until: number, now = Date.now()): Promise<boolean> {
  return (await redis.eval(PLATFORM_MAX, 1, key, String(until), String(Math.max(1, until - now)))) === 1;
}
