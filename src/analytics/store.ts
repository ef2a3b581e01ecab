/**
 * The latest engagement reading per published delivery, and the schedule of collections:
 * a sorted set of "<deliveryId>:<label>" scored by when, so a week of pending collections
 * costs a few bytes per delivery and no queue memory until it is due.
 */
import type { Redis } from 'ioredis';
import type { EngagementMetrics, PlatformName } from '../platform/port.ts';
import type { Keys } from '../store/keys.ts';

export interface EngagementRecord {
  deliveryId: string;
  platform: PlatformName;
  /** ok: `metrics` is the latest reading; unavailable: the platform or scopes give none (`reason`). */
  status: 'ok' | 'unavailable';
  metrics?: EngagementMetrics;
  reason?: string;
  collectedAt: string;
  /** The last collection failed (the previous reading, if any, is kept). */
  lastError?: { code: string; message: string; at: string };
  /** Failed reads since the last good one. */
  failures?: number;
}

/** Readings are kept this long after the last write (the last scheduled collection is at 7 days). */
const TTL_S = 90 * 24 * 3600;

export class EngagementStore {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  async get(deliveryId: string): Promise<EngagementRecord | undefined> {
    const raw = await this.redis.get(this.k.engagement(deliveryId));
    return raw ? (JSON.parse(raw) as EngagementRecord) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<(EngagementRecord | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.k.engagement(id)));
    return raws.map((r) => (r ? (JSON.parse(r) as EngagementRecord) : undefined));
  }

  async save(r: EngagementRecord): Promise<void> {
    await this.redis.set(this.k.engagement(r.deliveryId), JSON.stringify(r), 'EX', TTL_S);
  }

  /** Plan a collection; an existing entry with the same label keeps the earlier time. */
  async schedule(entries: { deliveryId: string; label: string; at: number }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.zadd(this.k.engagementDue, 'LT', ...entries.flatMap((e) => [e.at, `${e.deliveryId}:${e.label}`]));
  }

  async due(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.k.engagementDue, '-inf', now, 'LIMIT', 0, limit);
  }

  async unschedule(members: string[]): Promise<void> {
    if (members.length) await this.redis.zrem(this.k.engagementDue, ...members);
  }

  /**
   * One on-demand refresh per account per interval: claims the window for every account, or
   * returns how long until the busiest one may refresh again (nothing claimed then).
   */
  async claimRefresh(accountIds: string[], intervalMs: number): Promise<{ ok: true } | { ok: false; retryInMs: number }> {
    const ttls = await Promise.all(accountIds.map((a) => this.redis.pttl(this.k.engagementRefresh(a))));
    const wait = Math.max(0, ...ttls);
    if (wait > 0) return { ok: false, retryInMs: wait };
    const m = this.redis.multi();
    for (const a of accountIds) m.set(this.k.engagementRefresh(a), '1', 'PX', intervalMs);
    await m.exec();
    return { ok: true };
  }
}
