import type { Redis } from 'ioredis';
import { AccountStore } from './accounts.ts';
import { AuditLog } from './audit.ts';
import { extendPlatformBlock } from './block-windows.ts';
import { defineCas } from './cas.ts';
import { CreatorStore } from './creators.ts';
import { DeliveryStore } from './deliveries.ts';
import { IdempotencyStore } from './idempotency.ts';
import { keys, type Keys } from './keys.ts';
import { PlatformAppStore } from './oauth-apps.ts';
import { PostStore } from './posts.ts';
import { WebhookStore } from '../webhooks/store.ts';
import { EngagementStore } from '../analytics/store.ts';

/** Redis is the system of record; this is the one way the rest of Herald reaches it. */
export class Store {
  readonly k: Keys;
  readonly creators: CreatorStore;
  readonly accounts: AccountStore;
  readonly posts: PostStore;
  readonly deliveries: DeliveryStore;
  readonly idempotency: IdempotencyStore;
  readonly audit: AuditLog;
  /** Per-instance OAuth app registrations and app-level tokens. */
  readonly apps: PlatformAppStore;
  readonly webhooks: WebhookStore;
  readonly engagement: EngagementStore;

  constructor(readonly redis: Redis, prefix: string, encryptionKey: Buffer) {
    defineCas(redis);
    this.k = keys(prefix);
    this.creators = new CreatorStore(redis, this.k);
    this.accounts = new AccountStore(redis, this.k, encryptionKey);
    this.posts = new PostStore(redis, this.k);
    this.deliveries = new DeliveryStore(redis, this.k);
    this.idempotency = new IdempotencyStore(redis, this.k);
    this.audit = new AuditLog(redis, this.k);
    this.apps = new PlatformAppStore(redis, this.k, encryptionKey);
    this.webhooks = new WebhookStore(redis, this.k, encryptionKey);
    this.engagement = new EngagementStore(redis, this.k);
  }

  async platformBlockedUntil(platform: string): Promise<number> {
    return Number((await this.redis.get(this.k.platformBlock(platform))) ?? 0);
  }

  /** Record why Herald paused a platform; true when no reason was recorded before. */
  async setPlatformPauseReason(platform: string, reason: string, appFingerprint: string): Promise<boolean> {
    const key = this.k.platformPauseReason(platform);
    const fresh = await this.redis.hsetnx(key, 'at', new Date().toISOString());
    await this.redis.hset(key, { reason, app: appFingerprint });
    return fresh === 1;
  }

  async platformPauseReason(platform: string): Promise<{ reason: string; at: string; app: string } | undefined> {
    const h = await this.redis.hgetall(this.k.platformPauseReason(platform));
    return h.reason ? { reason: h.reason, at: h.at ?? '', app: h.app ?? '' } : undefined;
  }

  async clearPlatformPauseReason(platform: string): Promise<void> {
    await this.redis.del(this.k.platformPauseReason(platform));
  }

  /** Only ever extends the window (an atomic maximum in Redis). */
  async blockPlatform(platform: string, until: number): Promise<void> {
    await extendPlatformBlock(this.redis, this.k.platformBlock(platform), until);
  }
}
