import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from '../../src/store/index.ts';

// Issue 7 item 21: blocked-until windows were read, compared in TypeScript, then written.
// Two runs that hit a rate limit together could land the shorter window last.
describe('block windows are monotonic', () => {
  let redis: Redis;
  let store: Store;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'), { lazyConnect: false });
    store = new Store(redis, `bw${Math.random().toString(36).slice(2, 8)}`, Buffer.alloc(32, 1));
  });
  afterAll(async () => {
    await redis.quit();
  });

  const account = async () => (await store.accounts.upsert({
    creatorId: 'crt_bw', platform: 'x', externalId: String(Math.floor(Math.random() * 1e12)), settings: {}, credentials: { accessToken: 't' },
  }, () => `acc_${Math.random().toString(36).slice(2, 10)}`)).account;

  it('an account window is never shortened by a concurrent, shorter block', async () => {
    const a = await account();
    const later = Date.now() + 600_000;
    const sooner = Date.now() + 60_000;
    // Sent together on one connection: both old reads saw no window, and the shorter write landed last.
    await Promise.all([store.accounts.blockUntil(a.id, later), store.accounts.blockUntil(a.id, sooner)]);
    expect((await store.accounts.get(a.id))?.blockedUntil).toBe(later);
    await store.accounts.blockUntil(a.id, sooner);
    expect((await store.accounts.get(a.id))?.blockedUntil).toBe(later);
  });

  it('a platform window is never shortened by a concurrent, shorter block', async () => {
    const later = Date.now() + 600_000;
    await Promise.all([store.blockPlatform('x', later), store.blockPlatform('x', Date.now() + 60_000)]);
    expect(await store.platformBlockedUntil('x')).toBe(later);
    expect(await redis.pttl(store.k.platformBlock('x'))).toBeGreaterThan(500_000);
  });

  it('blocking a deleted account does not recreate it', async () => {
    const a = await account();
    await store.accounts.remove(a);
    await store.accounts.blockUntil(a.id, Date.now() + 60_000);
    expect(await redis.exists(store.k.account(a.id))).toBe(0);
  });
});
