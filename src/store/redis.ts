import { Redis, type RedisOptions } from 'ioredis';

/** A client for Herald's own keys. Auto-pipelining batches the many small calls of one request. */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
    ...opts,
  });
}

/** BullMQ workers need blocking connections without a retry cap. */
export function createBullConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export class RedisPolicyError extends Error {
  override readonly name = 'RedisPolicyError';
}

/**
 * Redis is the system of record: eviction would silently drop accepted posts.
 * Refuse to run on a Redis that may evict keys.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = res[1];
  if (policy !== undefined && policy !== 'noeviction') {
    throw new RedisPolicyError(
      `Redis maxmemory-policy is "${policy}"; Herald stores accepted posts in Redis and needs "noeviction" ` +
        `(set it with: redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf).`,
    );
  }
}
