/**
 * The relay drains the event outbox: it tells `onEvent` (engagement scheduling), then records
 * one delivery per subscribed, active webhook of the event's creator and gives it a job on the
 * webhook queue. It runs in
 * worker processes, one at a time (a Redis lock), and is safe to repeat: an entry is removed
 * only after it was handled, records are created once per (webhook, event), and a record
 * still pending gets its job again (a job id that exists is a no-op in BullMQ).
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { derivePostStatus, type Delivery } from '../domain/delivery.ts';
import { randomToken, sha256 } from '../store/crypto.ts';
import type { Store } from '../store/index.ts';
import { eventBody, type OutboxEntry } from './events.ts';
import { WEBHOOK_JOB, WEBHOOK_JOB_OPTS, webhookJobId, type WebhookJobData } from './queue.ts';
import type { Webhook } from './store.ts';

const BATCH = 200;
const LOCK_MS = 30_000;
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Delivery events after which the post may have reached its final status. */
const MAY_COMPLETE = new Set(['delivery.published', 'delivery.failed', 'delivery.unknown']);
const COMPLETE = new Set(['published', 'partial', 'failed']);

export class WebhookRelay {
  constructor(
    private readonly store: Store,
    private readonly queue: Queue<WebhookJobData>,
    private readonly log: Logger,
    private readonly now: () => number,
    /** Also told of every event first (the engagement schedule starts at delivery.published). */
    private readonly onEvent?: (entry: OutboxEntry) => Promise<void>,
  ) {}

  /** Handle everything in the outbox now; returns how many entries were handled. */
  async drain(): Promise<number> {
    const { redis, k } = this.store;
    const lock = k.lock('webhook-relay');
    const token = randomToken(12);
    if (!(await redis.set(lock, token, 'PX', LOCK_MS, 'NX'))) return 0;
    let handled = 0;
    try {
      for (;;) {
        const raws = await redis.lrange(k.eventOutbox, 0, BATCH - 1);
        if (raws.length === 0) break;
        const hooks = new Map<string, Promise<Webhook[]>>();
        for (const raw of raws) {
          let entry: OutboxEntry;
          try {
            entry = JSON.parse(raw) as OutboxEntry;
          } catch (err) {
            this.log.error({ err, raw: raw.slice(0, 200) }, 'unreadable event in the outbox; dropped');
            continue;
          }
          await this.handle(entry, hooks);
        }
        await redis.multi().ltrim(k.eventOutbox, raws.length, -1).pexpire(lock, LOCK_MS).exec();
        handled += raws.length;
      }
    } finally {
      await redis.eval(RELEASE, 1, lock, token);
    }
    return handled;
  }

  private async handle(entry: OutboxEntry, cache: Map<string, Promise<Webhook[]>>): Promise<void> {
    await this.onEvent?.(entry);
    if (entry.webhookId) {
      const w = await this.store.webhooks.get(entry.webhookId);
      if (w && w.creatorId === entry.creatorId && w.status === 'active') await this.enqueue(w, entry);
      return;
    }
    let list = cache.get(entry.creatorId);
    if (!list) {
      list = this.store.webhooks.list(entry.creatorId).then((all) => all.filter((w) => w.status === 'active'));
      cache.set(entry.creatorId, list);
    }
    const active = await list;
    if (active.length === 0) return;
    for (const w of active) if ((w.events as string[]).includes(entry.type)) await this.enqueue(w, entry);
    const wantCompletion = active.filter((w) => w.events.includes('post.completed'));
    if (entry.postId && MAY_COMPLETE.has(entry.type) && wantCompletion.length > 0) {
      const completed = await this.postCompleted(entry.postId, entry.creatorId);
      if (completed) for (const w of wantCompletion) await this.enqueue(w, completed);
    }
  }

  /**
   * post.completed when every delivery of the post is final. Its id comes from the post and
   * its deliveries' statuses, so two deliveries finishing together still make one event.
   */
  private async postCompleted(postId: string, creatorId: string): Promise<OutboxEntry | undefined> {
    const post = await this.store.posts.get(postId);
    if (!post) return undefined;
    const deliveries = (await this.store.deliveries.getMany(post.targets.map((t) => t.deliveryId))).filter((d): d is Delivery => d !== undefined);
    const status = derivePostStatus(deliveries);
    if (!COMPLETE.has(status)) return undefined;
    const fingerprint = deliveries.map((d) => `${d.id}:${d.status}`).join(',');
    return {
      id: `evt_${sha256(`${postId}|${fingerprint}`).slice(0, 17)}`,
      type: 'post.completed', creatorId, at: new Date(this.now()).toISOString(),
      data: {
        post: {
          id: post.id, status,
          deliveries: deliveries.map((d) => ({
            id: d.id, accountId: d.accountId, platform: d.platform, status: d.status,
            platformPostId: d.platformPostId ?? null, url: d.url ?? null, error: d.error ?? null,
          })),
        },
      },
    };
  }

  private async enqueue(w: Webhook, entry: OutboxEntry): Promise<void> {
    const rec = await this.store.webhooks.addDelivery(w.id, {
      eventId: entry.id, type: entry.type, status: 'pending', attempts: 0, responses: [],
      createdAt: new Date(this.now()).toISOString(), body: eventBody(entry),
    });
    if (rec.status !== 'pending') return;
    const data = { w: w.id, e: entry.id };
    await this.queue.add(WEBHOOK_JOB, data, { ...WEBHOOK_JOB_OPTS, jobId: webhookJobId(data) });
  }
}
