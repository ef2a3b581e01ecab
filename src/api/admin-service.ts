/**
 * What an admin can do, in one place: the JSON admin routes (routes/admin.ts) and the
 * dashboard (src/dashboard/) both call these, so a retry or a resolve is checked and
 * audited the same way whichever door it comes through.
 */
import type { Delivery } from '../domain/delivery.ts';
import type { PlatformName } from '../platform/port.ts';
import type { AuditEntry } from '../store/audit.ts';
import { ApiError, notFound } from './errors.ts';
import type { Services } from './services.ts';

const ADMIN = { id: 'admin', admin: true };

export interface DeliveryFilter {
  status?: Delivery['status'];
  platform?: string;
  creatorId?: string;
  errorCode?: string;
  accountId?: string;
}

export interface ResolveInput {
  outcome: 'published' | 'not_published';
  url?: string;
  platformPostId?: string;
  reason: string;
}

export interface BulkRetryResult {
  matched: number;
  retried: number;
  skipped: { id: string; reason: string }[];
}

export interface PlatformOverview {
  counts: Record<string, number>;
  paused: boolean;
  /** Why Herald paused it itself (app credentials refused), while it is paused. */
  pausedReason: string | null;
  blockedUntil: string | null;
  /** What the adapter says about its configuration (e.g. LinkedIn's API version and its sunset). */
  config: Record<string, string>;
  /** Configuration warnings (e.g. the API version sunsets within 60 days). */
  configWarnings: string[];
}

function matches(d: Delivery, f: DeliveryFilter): boolean {
  return (!f.status || d.status === f.status) && (!f.platform || d.platform === f.platform) &&
    (!f.creatorId || d.creatorId === f.creatorId) && (!f.errorCode || d.error?.code === f.errorCode) &&
    (!f.accountId || d.accountId === f.accountId);
}

export class AdminService {
  constructor(private readonly s: Services) {}

  /** Scan an index page by page applying the filter; bounded work per call. */
  async deliveries(f: DeliveryFilter, cursor: string | undefined, limit: number, maxScan = 5_000): Promise<{ data: Delivery[]; next?: string }> {
    const s = this.s;
    const out: Delivery[] = [];
    let next: string | undefined = cursor;
    let scanned = 0;
    while (out.length < limit && scanned < maxScan) {
      const page = await s.store.deliveries.pageIndex(f.status, next, Math.min(200, Math.max(limit, 50)));
      const ds = await s.store.deliveries.getMany(page.ids);
      let stoppedAt: number | undefined;
      for (let i = 0; i < ds.length; i++) {
        scanned++;
        const d = ds[i];
        if (d && matches(d, f)) out.push(d);
        if (out.length === limit) {
          stoppedAt = i;
          break;
        }
      }
      if (stoppedAt !== undefined && (stoppedAt < ds.length - 1 || page.next)) {
        const last = ds[stoppedAt]!;
        // Each index has its own score (creation, entry into the status, due time): ask it.
        next = `${await s.store.redis.zscore(page.key, last.id)}:${last.id}`;
        return { data: out, next };
      }
      next = page.next;
      if (!next) break;
    }
    return { data: out, ...(out.length >= limit || scanned >= maxScan ? (next ? { next } : {}) : {}) };
  }

  async delivery(id: string): Promise<Delivery> {
    const d = await this.s.store.deliveries.get(id);
    if (!d) throw notFound('delivery');
    return d;
  }

  async createCreator(name: string) {
    const { creator, apiKey } = await this.s.store.creators.create(name);
    await this.s.store.audit.append({ actor: 'admin', action: 'creator.create', target: creator.id });
    return { ...creator, apiKey };
  }

  async retry(id: string, body: { reason: string; force: boolean }): Promise<Delivery> {
    const d = await this.delivery(id);
    const after = await this.s.changes.requeue(d, ADMIN, body);
    await this.s.store.audit.append({ actor: 'admin', action: 'delivery.retry', target: d.id, reason: body.reason, details: { force: body.force, from: d.status } });
    return after;
  }

  async bulkRetry(filter: DeliveryFilter & { status: 'failed' | 'unknown' }, reason: string, force: boolean, limit: number): Promise<BulkRetryResult> {
    const page = await this.deliveries(filter, undefined, limit, 100_000);
    let retried = 0;
    const skipped: { id: string; reason: string }[] = [];
    for (const d of page.data) {
      try {
        await this.s.changes.requeue(d, ADMIN, { reason, force });
        retried++;
      } catch (err) {
        if (skipped.length < 100) skipped.push({ id: d.id, reason: (err as Error).message });
      }
    }
    await this.s.store.audit.append({ actor: 'admin', action: 'delivery.bulk_retry', reason, details: { filter, force, matched: page.data.length, retried } });
    return { matched: page.data.length, retried, skipped };
  }

  async resolve(id: string, b: ResolveInput): Promise<Delivery> {
    const d = await this.delivery(id);
    const after = b.outcome === 'published'
      ? await this.s.changes.complete(d, ADMIN, { url: b.url!, ...(b.platformPostId ? { platformPostId: b.platformPostId } : {}), reason: b.reason })
      : await this.s.changes.resolveNotPublished(d, b.reason);
    await this.s.store.audit.append({ actor: 'admin', action: 'delivery.resolve', target: d.id, reason: b.reason, details: { outcome: b.outcome, from: d.status, ...(b.url ? { url: b.url } : {}) } });
    return after;
  }

  /** Per-platform queue counts, pause state and rate-limit blocks, and delivery totals. */
  async queues(): Promise<{ platforms: Record<string, PlatformOverview>; deliveries: Record<string, number> }> {
    const counts = await this.s.queues.counts();
    const platforms: Record<string, PlatformOverview> = {};
    for (const [p, c] of Object.entries(counts)) {
      const [until, held] = await Promise.all([this.s.store.platformBlockedUntil(p), this.s.store.platformPauseReason(p)]);
      const pausedReason = c.paused && held ? `${held.reason} (since ${held.at})` : null;
      const status = this.s.runtime.adapter(p as PlatformName)?.configStatus?.(this.s.runtime.settings(p as PlatformName), new Date());
      platforms[p] = {
        ...c, pausedReason, blockedUntil: until > Date.now() ? new Date(until).toISOString() : null,
        config: status?.facts ?? {}, configWarnings: status?.warnings ?? [],
      };
    }
    return { platforms, deliveries: await this.s.store.deliveries.countsByStatus() };
  }

  async setPaused(p: PlatformName, paused: boolean, reason?: string): Promise<{ platform: string; paused: boolean }> {
    if (!this.s.queues.platforms().includes(p)) throw new ApiError('platform_not_available', `${p} is not enabled on this Herald`);
    if (paused) await this.s.queues.pause(p);
    else {
      await this.s.queues.resume(p);
      await this.s.store.clearPlatformPauseReason(p);
    }
    await this.s.store.audit.append({ actor: 'admin', action: `platform.${paused ? 'pause' : 'resume'}`, target: p, ...(reason ? { reason } : {}) });
    return { platform: p, paused };
  }

  audit(cursor: string | undefined, limit: number, filter: { action?: string; target?: string }): Promise<{ entries: AuditEntry[]; next?: string }> {
    return this.s.store.audit.page(cursor, limit, filter);
  }
}
