import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/** Append-only audit log on a Redis stream (never trimmed by Herald). */
export class AuditLog {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  async append(e: Omit<AuditEntry, 'id' | 'at'>): Promise<string> {
    const fields = ['at', new Date().toISOString(), 'actor', e.actor, 'action', e.action];
    if (e.target) fields.push('target', e.target);
    if (e.reason) fields.push('reason', e.reason);
    if (e.details) fields.push('details', JSON.stringify(e.details));
    return (await this.redis.xadd(this.k.audit, '*', ...fields)) as string;
  }

  /** Newest first; cursor = the last id served. */
  async page(cursor: string | undefined, count: number, filter: { action?: string; target?: string } = {}): Promise<{ entries: AuditEntry[]; next?: string }> {
    const entries: AuditEntry[] = [];
    let end = cursor ? `(${cursor}` : '+';
    for (;;) {
      const rows = await this.redis.xrevrange(this.k.audit, end, '-', 'COUNT', Math.max(count * 2, 50));
      for (const [id, flat] of rows) {
        const f: Record<string, string> = {};
        for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
        end = `(${id}`;
        if (filter.action && f.action !== filter.action) continue;
        if (filter.target && f.target !== filter.target) continue;
        entries.push({
          id, at: f.at!, actor: f.actor!, action: f.action!,
          ...(f.target ? { target: f.target } : {}), ...(f.reason ? { reason: f.reason } : {}),
          ...(f.details ? { details: JSON.parse(f.details) as Record<string, unknown> } : {}),
        });
        if (entries.length > count) break;
      }
      if (entries.length > count || rows.length === 0) break;
    }
    const page = entries.slice(0, count);
    return { entries: page, ...(entries.length > count ? { next: page[page.length - 1]!.id } : {}) };
  }
}
