import type { Redis } from 'ioredis';
import { canTransition, DELIVERY_STATUSES, dueAt, TransitionError, type Delivery, type DeliveryStatus } from '../domain/delivery.ts';
import { cas, versioned, type IndexOp } from './cas.ts';
import type { Keys } from './keys.ts';
import { deliveryOutboxEntry } from '../webhooks/events.ts';

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/**
 * A mutation returns the next record, or undefined to leave it unchanged. It may set and
 * delete top-level fields but must replace nested values rather than edit them in place.
 */
export type DeliveryMutation = (current: Delivery, now: Date) => Delivery | undefined;

/** Stored form: version first (for the CAS script); an empty history is left out (parse restores it). */
export function serializeDelivery(d: Delivery): string {
  if (d.history.length > 0) return versioned(d);
  const { history: _h, ...rest } = d;
  return versioned(rest as Delivery);
}

export function parseDelivery(raw: string): Delivery {
  const d = JSON.parse(raw) as Delivery;
  if (!Array.isArray(d.history)) d.history = [];
  return d;
}

/**
 * Scheduled deliveries are the bulk (100,000 pending posts) and all of them are in the due
 * index already, scored by their time: they get no status set of their own.
 */
export function hasStatusIndex(status: DeliveryStatus): boolean {
  return status !== 'scheduled';
}

/**
 * Index writes that keep status sets, counts and the due set in step with a record, and the
 * webhook event a status change makes (written in the same atomic step, so never lost).
 */
export function indexOps(k: Keys, before: Delivery | undefined, after: Delivery): IndexOp[] {
  const ops: IndexOp[] = [];
  const now = Date.parse(after.updatedAt);
  if (!before) ops.push(['ZADD', k.deliveries, Date.parse(after.createdAt), after.id]);
  if (before?.status !== after.status) {
    if (before) {
      if (hasStatusIndex(before.status)) ops.push(['ZREM', k.deliveriesByStatus(before.status), after.id]);
      ops.push(['HINCRBY', k.statusCounts, before.status, -1]);
    }
    if (hasStatusIndex(after.status)) ops.push(['ZADD', k.deliveriesByStatus(after.status), now, after.id]);
    ops.push(['HINCRBY', k.statusCounts, after.status, 1]);
    const event = deliveryOutboxEntry(before, after);
    if (event) ops.push(['RPUSH', k.eventOutbox, event]);
  }
  const due = dueAt(after);
  if (due === undefined) {
    if (before && dueAt(before) !== undefined) ops.push(['ZREM', k.due, after.id]);
  } else if (!before || dueAt(before) !== due) {
    ops.push(['ZADD', k.due, due, after.id]);
  }
  return ops;
}

export class DeliveryStore {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  async get(id: string): Promise<Delivery | undefined> {
    const raw = await this.redis.get(this.k.delivery(id));
    return raw ? parseDelivery(raw) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<(Delivery | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.k.delivery(id)));
    return raws.map((r) => (r ? parseDelivery(r) : undefined));
  }

  /**
   * Apply a mutation atomically (optimistic concurrency, retried on conflict). Checks the
   * state machine, bumps the version and updatedAt, and keeps the indexes in step.
   */
  async update(id: string, mutate: DeliveryMutation, known?: Delivery): Promise<{ delivery: Delivery; changed: boolean } | undefined> {
    for (let attempt = 0; attempt < 50; attempt++) {
      // A caller that holds the latest record saves a read; a stale one just costs a retry.
      const fromKnown = attempt === 0 && known !== undefined;
      const current = fromKnown ? known : await this.get(id);
      if (!current) return undefined;
      const now = new Date();
      // A shallow copy is enough: mutations replace nested values (history, progress, claim),
      // they never edit them in place, so `current` stays intact for the index diff.
      const next = mutate({ ...current }, now);
      // "Nothing to change" is only trusted on a fresh read.
      if (!next) {
        if (fromKnown) continue;
        return { delivery: current, changed: false };
      }
      if (next.status !== current.status && !canTransition(current.status, next.status)) {
        throw new TransitionError(current.status, next.status);
      }
      next.v = current.v + 1;
      next.updatedAt = now.toISOString();
      const res = await cas(this.redis, this.k.delivery(id), current.v, serializeDelivery(next), indexOps(this.k, current, next));
      if (res === 1) return { delivery: next, changed: true };
      if (res === -1) return undefined;
    }
    throw new ConflictError(`delivery ${id} is being changed by too many writers at once`);
  }

  /** Page through a status set (or all deliveries), newest first. Cursor = "score:id". */
  async pageIndex(status: DeliveryStatus | undefined, cursor: string | undefined, count: number): Promise<{ ids: string[]; next?: string; key: string }> {
    const key = !status ? this.k.deliveries : hasStatusIndex(status) ? this.k.deliveriesByStatus(status) : this.k.due;
    return { ...(await pageZset(this.redis, key, cursor, count)), key };
  }

  async countsByStatus(): Promise<Record<DeliveryStatus, number>> {
    const raw = await this.redis.hgetall(this.k.statusCounts);
    return Object.fromEntries(DELIVERY_STATUSES.map((st) => [st, Math.max(0, Number(raw[st] ?? 0))])) as Record<DeliveryStatus, number>;
  }
}

/** Newest-first page over a sorted set; ties on score are broken by member. Cursor = "score:member". */
export async function pageZset(redis: Redis, key: string, cursor: string | undefined, count: number): Promise<{ ids: string[]; next?: string }> {
  let max = '+inf';
  let after: string | undefined;
  if (cursor) {
    const sep = cursor.indexOf(':');
    max = cursor.slice(0, sep);
    after = cursor.slice(sep + 1);
  }
  const page: { id: string; score: string }[] = [];
  const batch = count + 1;
  let offset = 0;
  for (;;) {
    const raw = await redis.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', offset, batch);
    for (let i = 0; i < raw.length; i += 2) {
      const id = raw[i]!;
      const score = raw[i + 1]!;
      // Members sharing the cursor's score come in descending member order: skip those already served.
      if (after !== undefined && score === max && id >= after) continue;
      page.push({ id, score });
    }
    if (page.length > count || raw.length < batch * 2) break;
    offset += batch;
  }
  const hasMore = page.length > count;
  const rows = page.slice(0, count);
  const last = rows[rows.length - 1];
  return { ids: rows.map((r) => r.id), ...(hasMore && last ? { next: `${last.score}:${last.id}` } : {}) };
}
