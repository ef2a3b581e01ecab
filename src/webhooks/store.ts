/**
 * Webhooks and their delivery log in Redis. The signing secret is sealed with the
 * credentials key (AES-256-GCM) and only ever shown in the response that created it.
 */
import type { Redis } from 'ioredis';
import { pageZset } from '../store/deliveries.ts';
import { decrypt, encrypt } from '../store/crypto.ts';
import type { Keys } from '../store/keys.ts';
import type { AnyEventType, OutboxEntry, WebhookEventType } from './events.ts';

export interface Webhook {
  id: string;
  creatorId: string;
  url: string;
  events: WebhookEventType[];
  status: 'active' | 'disabled';
  createdAt: string;
  /** ms epoch of the first failure since the last success (cleared by any 2xx). */
  failingSince?: number;
  lastSuccessAt?: string;
  disabledAt?: string;
  disabledReason?: string;
}

/** One event sent (or being sent) to one webhook. */
export interface WebhookDelivery {
  eventId: string;
  type: AnyEventType;
  /** pending: retries scheduled; delivered: a 2xx; failed: the retry window ran out or the webhook was disabled or deleted. */
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** One per attempt: the HTTP status, or null with `error` when there was no answer (timeout, refused). */
  responses: { at: string; status: number | null; error?: string }[];
  createdAt: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  /** The exact bytes sent on every attempt. */
  body: string;
}

/** A delivery record is kept this long (the retry window is one day). */
const LOG_TTL_S = 8 * 24 * 3600;
/** Newest entries kept per webhook log. */
const LOG_CAP = 1_000;
const RESPONSES_CAP = 50;
export const MAX_WEBHOOKS_PER_CREATOR = 20;

export function webhookView(w: Webhook) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    status: w.status,
    createdAt: w.createdAt,
    failingSince: w.failingSince ? new Date(w.failingSince).toISOString() : null,
    lastSuccessAt: w.lastSuccessAt ?? null,
    disabledAt: w.disabledAt ?? null,
    disabledReason: w.disabledReason ?? null,
  };
}

export function webhookDeliveryView(d: WebhookDelivery) {
  return {
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    statusCodes: d.responses.map((r) => r.status),
    responses: d.responses,
    nextAttemptAt: d.nextAttemptAt ?? null,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt ?? null,
  };
}

function fromHash(h: Record<string, string>): Webhook | undefined {
  if (!h.id) return undefined;
  return {
    id: h.id, creatorId: h.creatorId!, url: h.url!, events: JSON.parse(h.events!) as WebhookEventType[],
    status: h.status === 'disabled' ? 'disabled' : 'active', createdAt: h.createdAt!,
    ...(h.failingSince ? { failingSince: Number(h.failingSince) } : {}),
    ...(h.lastSuccessAt ? { lastSuccessAt: h.lastSuccessAt } : {}),
    ...(h.disabledAt ? { disabledAt: h.disabledAt } : {}),
    ...(h.disabledReason ? { disabledReason: h.disabledReason } : {}),
  };
}

export class WebhookStore {
  constructor(private readonly redis: Redis, private readonly k: Keys, private readonly key: Buffer) {}

  async create(w: Omit<Webhook, 'status'>, secret: string): Promise<Webhook> {
    await this.redis.multi()
      .hset(this.k.webhook(w.id), { id: w.id, creatorId: w.creatorId, url: w.url, events: JSON.stringify(w.events), status: 'active', createdAt: w.createdAt, secret: encrypt(this.key, secret, `herald:webhook:${w.id}`) })
      .zadd(this.k.creatorWebhooks(w.creatorId), Date.parse(w.createdAt), w.id)
      .exec();
    return { ...w, status: 'active' };
  }

  async get(id: string): Promise<Webhook | undefined> {
    return fromHash(await this.redis.hgetall(this.k.webhook(id)));
  }

  async secret(id: string): Promise<string | undefined> {
    const sealed = await this.redis.hget(this.k.webhook(id), 'secret');
    return sealed ? decrypt(this.key, sealed, `herald:webhook:${id}`) : undefined;
  }

  async count(creatorId: string): Promise<number> {
    return this.redis.zcard(this.k.creatorWebhooks(creatorId));
  }

  async list(creatorId: string): Promise<Webhook[]> {
    const ids = await this.redis.zrange(this.k.creatorWebhooks(creatorId), 0, -1);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.k.webhook(id));
    const res = (await p.exec()) ?? [];
    return res.map(([, h]) => fromHash((h as Record<string, string>) ?? {})).filter((w): w is Webhook => w !== undefined);
  }

  async remove(w: Webhook): Promise<void> {
    const eventIds = await this.redis.zrange(this.k.webhookLog(w.id), 0, -1);
    const m = this.redis.multi().del(this.k.webhook(w.id), this.k.webhookLog(w.id)).zrem(this.k.creatorWebhooks(w.creatorId), w.id);
    for (const e of eventIds) m.del(this.k.webhookDelivery(w.id, e));
    await m.exec();
  }

  /** A 2xx: the run of failures (if any) is over. */
  async markSuccess(id: string, at: string): Promise<void> {
    if (!(await this.redis.exists(this.k.webhook(id)))) return;
    await this.redis.multi().hset(this.k.webhook(id), 'lastSuccessAt', at).hdel(this.k.webhook(id), 'failingSince').exec();
  }

  /** A failure: returns when the current run of consecutive failures started (ms epoch). */
  async markFailure(id: string, now: number): Promise<number> {
    if (!(await this.redis.exists(this.k.webhook(id)))) return now;
    await this.redis.hsetnx(this.k.webhook(id), 'failingSince', String(now));
    return Number((await this.redis.hget(this.k.webhook(id), 'failingSince')) ?? now);
  }

  /** Returns true when this call disabled it (false if it was already disabled or is gone). */
  async disable(id: string, at: string, reason: string): Promise<boolean> {
    const prev = await this.redis.hget(this.k.webhook(id), 'status');
    if (prev !== 'active') return false;
    await this.redis.hset(this.k.webhook(id), { status: 'disabled', disabledAt: at, disabledReason: reason });
    return true;
  }

  /** Queue an event that no store write carries (test events); the relay picks it up. */
  async emit(entry: OutboxEntry): Promise<void> {
    await this.redis.rpush(this.k.eventOutbox, JSON.stringify(entry));
  }

  /** Record an event for a webhook unless it already is; returns the stored record. */
  async addDelivery(webhookId: string, d: WebhookDelivery): Promise<WebhookDelivery> {
    const key = this.k.webhookDelivery(webhookId, d.eventId);
    const created = await this.redis.set(key, JSON.stringify(d), 'EX', LOG_TTL_S, 'NX');
    if (!created) return (await this.getDelivery(webhookId, d.eventId)) ?? d;
    const log = this.k.webhookLog(webhookId);
    await this.redis.multi()
      .zadd(log, Date.parse(d.createdAt), d.eventId)
      .zremrangebyrank(log, 0, -(LOG_CAP + 1))
      .zremrangebyscore(log, '-inf', Date.parse(d.createdAt) - LOG_TTL_S * 1000)
      .exec();
    return d;
  }

  async getDelivery(webhookId: string, eventId: string): Promise<WebhookDelivery | undefined> {
    const raw = await this.redis.get(this.k.webhookDelivery(webhookId, eventId));
    return raw ? (JSON.parse(raw) as WebhookDelivery) : undefined;
  }

  /** Only the job sending this event writes its record, so a plain write is enough. */
  async saveDelivery(webhookId: string, d: WebhookDelivery): Promise<void> {
    const capped = d.responses.length > RESPONSES_CAP ? { ...d, responses: d.responses.slice(-RESPONSES_CAP) } : d;
    await this.redis.set(this.k.webhookDelivery(webhookId, d.eventId), JSON.stringify(capped), 'EX', LOG_TTL_S, 'XX');
  }

  /** Newest first; cursor pagination like the other lists. */
  async pageDeliveries(webhookId: string, cursor: string | undefined, limit: number): Promise<{ data: WebhookDelivery[]; next?: string }> {
    const page = await pageZset(this.redis, this.k.webhookLog(webhookId), cursor, limit);
    if (page.ids.length === 0) return { data: [] };
    const raws = await this.redis.mget(...page.ids.map((e) => this.k.webhookDelivery(webhookId, e)));
    const data = raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WebhookDelivery);
    return { data, ...(page.next ? { next: page.next } : {}) };
  }
}
