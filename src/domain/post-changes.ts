/**
 * Changing posts after acceptance: edit/reschedule, cancel, retry, handoff completion and
 * admin resolution. Edits and cancels hold every delivery of the post with a short edit
 * lock first, so a worker cannot start one of them half-way through the change.
 */
import { ApiError, notFound } from './errors.ts';
import type { PublishQueues } from '../queue/queues.ts';
import type { Store } from '../store/index.ts';
import type { Post } from '../store/posts.ts';
import type { DeliveryEvents } from './delivery.ts';
import { notStarted, touchedPlatform, withHistory, type Delivery, type DeliveryStatus } from './delivery.ts';
import type { PostInput } from './validate.ts';
import type { PostService, PostView } from './posts-service.ts';
import { postView } from './posts-service.ts';

const EDIT_LOCK_MS = 10_000;

export interface PostPatch {
  text?: string;
  media?: PostInput['media'];
  targets?: PostInput['targets'];
  scheduledAt?: string;
  timezone?: string;
}

export interface Actor {
  /** "admin" or a creator id. */
  id: string;
  admin: boolean;
}

export class PostChanges {
  constructor(
    private readonly store: Store,
    private readonly queues: PublishQueues,
    private readonly posts: PostService,
    private readonly events: DeliveryEvents,
  ) {}

  /** Hold the deliveries (all must pass `allowed`), run `fn`, release. All-or-nothing. */
  private async withEditLock<T>(deliveries: Delivery[], allowed: (d: Delivery) => boolean, fn: (locked: Delivery[]) => Promise<T>): Promise<T> {
    const locked: Delivery[] = [];
    const release = async () => {
      for (const d of locked) await this.store.deliveries.update(d.id, (x) => (x.editLock ? (delete x.editLock, x) : undefined));
    };
    try {
      for (const d of deliveries) {
        const res = await this.store.deliveries.update(d.id, (x, now) => {
          if (!allowed(x) || (x.editLock ?? 0) > now.getTime()) return undefined;
          x.editLock = now.getTime() + EDIT_LOCK_MS;
          return x;
        });
        if (!res?.changed) {
          const why = res && touchedPlatform(res.delivery) ? 'has already written to the platform' : `is ${res?.delivery.status ?? 'gone'}`;
          throw new ApiError('conflict', `delivery ${d.id} ${why}; the post can no longer be changed`);
        }
        locked.push(res.delivery);
      }
      return await fn(locked);
    } finally {
      await release();
    }
  }

  async patch(creatorId: string, id: string, patch: PostPatch): Promise<PostView> {
    const { post, deliveries } = await this.posts.load(creatorId, id);
    if (!deliveries.every(notStarted)) {
      throw new ApiError('conflict', 'publishing has started for this post; only posts whose deliveries are all scheduled or queued, with nothing written to a platform, can be edited');
    }
    const targets = patch.targets ?? post.targets;
    const currentIds = post.targets.map((t) => t.accountId).sort().join(',');
    if (targets.map((t) => t.accountId).sort().join(',') !== currentIds) {
      throw new ApiError('invalid_request', 'targets may change their text, media and options but not which accounts they name; cancel and create a new post instead', [{ field: 'targets' }]);
    }
    const merged: PostInput = {
      text: patch.text ?? post.text,
      media: patch.media ?? post.media,
      targets: targets.map((t) => ({ accountId: t.accountId, ...(t.text !== undefined ? { text: t.text } : {}), ...(t.media !== undefined ? { media: t.media } : {}), ...(t.options !== undefined ? { options: t.options } : {}) })),
      ...(patch.scheduledAt ? { scheduledAt: patch.scheduledAt } : {}),
    };
    const issues = await this.posts.validate(creatorId, merged);
    if (issues.length) throw new ApiError('validation_failed', `the edited post breaks ${issues.length} rule(s) of its target platforms`, issues);

    return this.withEditLock(deliveries, notStarted, async () => {
      const now = new Date();
      const scheduledAt = patch.scheduledAt ? new Date(Math.max(Date.parse(patch.scheduledAt), now.getTime())) : new Date(post.scheduledAt);
      const byAccount = new Map(post.targets.map((t) => [t.accountId, t.deliveryId]));
      const next: Post = {
        ...post,
        text: merged.text,
        media: merged.media ?? [],
        targets: merged.targets.map((t) => ({ ...t, deliveryId: byAccount.get(t.accountId)! })),
        scheduledAt: scheduledAt.toISOString(),
        ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
        updatedAt: now.toISOString(),
        v: post.v + 1,
      };
      await this.store.posts.save(next);
      const updated: Delivery[] = [];
      for (const d of deliveries) {
        const res = await this.store.deliveries.update(d.id, (x, at) => {
          const future = scheduledAt.getTime() > at.getTime();
          x.scheduledAt = next.scheduledAt;
          // A run that read the post before this edit sees the new version at its claim and starts over.
          x.postV = next.v;
          x.status = future ? 'scheduled' : 'queued';
          x.history = withHistory(x, { event: 'edited', status: x.status, message: patch.scheduledAt ? `rescheduled to ${next.scheduledAt}` : 'content edited' }, at);
          return x;
        });
        if (res) updated.push(res.delivery);
        await this.queues.reschedule(d.id, d.platform, scheduledAt.getTime());
      }
      return postView(next, updated);
    });
  }

  async cancel(creatorId: string, id: string): Promise<PostView> {
    const { post, deliveries } = await this.posts.load(creatorId, id);
    const cancelableStatus: ReadonlySet<DeliveryStatus> = new Set(['scheduled', 'queued', 'retrying', 'awaiting_action']);
    const cancelable = (d: Delivery) => cancelableStatus.has(d.status) && !touchedPlatform(d);
    if (deliveries.some((d) => d.status === 'publishing' || d.status === 'processing')) {
      throw new ApiError('conflict', 'a delivery of this post is publishing now; it cannot be canceled');
    }
    const started = deliveries.find((d) => cancelableStatus.has(d.status) && touchedPlatform(d));
    if (started) throw new ApiError('conflict', `delivery ${started.id} has already written to ${started.platform} (part of it may be live); it cannot be canceled`);
    const targets = deliveries.filter(cancelable);
    if (targets.length === 0) throw new ApiError('conflict', 'nothing left to cancel: every delivery has finished');
    await this.withEditLock(targets, cancelable, async () => {
      for (const d of targets) {
        await this.queues.remove(d.id, d.platform);
        const res = await this.store.deliveries.update(d.id, (x, now) => {
          x.status = 'canceled';
          delete x.nextAttemptAt;
          x.history = withHistory(x, { event: 'canceled', status: 'canceled' }, now);
          return x;
        });
        if (res?.changed) this.events.changed(res.delivery);
      }
    });
    return this.posts.get(post.creatorId, post.id);
  }

  /** Re-queue one delivery. Never re-publishes a published one. */
  async requeue(d: Delivery, actor: Actor, opts: { reason?: string; force?: boolean }): Promise<Delivery> {
    if (d.status === 'published') throw new ApiError('conflict', `delivery ${d.id} is already published (${d.url ?? d.platformPostId ?? ''}); it is never published twice`);
    const eligible = d.status === 'failed' && (d.error?.retryable !== false || opts.force);
    const forcedUnknown = d.status === 'unknown' && opts.force;
    if (!eligible && !forcedUnknown) {
      const why = d.status === 'unknown'
        ? 'its outcome is unknown (the platform may have published it); an admin can resolve it, or retry with force after checking the platform'
        : d.status === 'failed' ? 'its failure is not retryable (the platform rejected it); an admin can retry with force' : `it is ${d.status}`;
      throw new ApiError('conflict', `delivery ${d.id} cannot be retried: ${why}`);
    }
    const res = await this.store.deliveries.update(d.id, (x, now) => {
      if (x.status !== d.status) return undefined;
      x.status = 'queued';
      x.attemptBase = x.attempts;
      delete x.error;
      delete x.nextAttemptAt;
      // A forced retry of an unknown delivery keeps its armed write: the run asks the platform
      // (lookup) before writing anything. Only resolving it as not published clears that.
      if (!forcedUnknown) delete x.armed;
      delete x.claim;
      delete x.reconciles;
      if (forcedUnknown) x.ambiguous = true;
      x.history = withHistory(x, { event: 'retry_requested', status: 'queued', actor: actor.admin ? 'admin' : actor.id, ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.force ? { message: 'forced' } : {}) }, now);
      return x;
    });
    if (!res?.changed) throw new ApiError('conflict', `delivery ${d.id} changed while retrying; read it again`);
    await this.queues.enqueue(d.id, d.platform, Date.now());
    this.events.changed(res.delivery);
    return res.delivery;
  }

  async creatorRetry(creatorId: string, postId: string, deliveryIds?: string[]): Promise<PostView> {
    const { deliveries } = await this.posts.load(creatorId, postId);
    const chosen = deliveryIds ? deliveries.filter((d) => deliveryIds.includes(d.id)) : deliveries.filter((d) => d.status === 'failed' && d.error?.retryable !== false);
    if (deliveryIds && chosen.length !== new Set(deliveryIds).size) throw notFound('delivery');
    if (chosen.length === 0) throw new ApiError('conflict', 'no failed, retryable delivery to retry');
    for (const d of chosen) await this.requeue(d, { id: creatorId, admin: false }, {});
    await this.store.audit.append({ actor: creatorId, action: 'post.retry', target: postId, details: { deliveryIds: chosen.map((d) => d.id) } });
    return this.posts.get(creatorId, postId);
  }

  /** Finish a handoff (or record an outcome an admin verified on the platform). */
  async complete(d: Delivery, actor: Actor, body: { url: string; platformPostId?: string; reason?: string }): Promise<Delivery> {
    const allowed: DeliveryStatus[] = actor.admin ? ['awaiting_action', 'unknown'] : ['awaiting_action'];
    if (!allowed.includes(d.status)) throw new ApiError('conflict', `delivery ${d.id} is ${d.status}; only ${allowed.join(' or ')} deliveries can be completed`);
    const res = await this.store.deliveries.update(d.id, (x, now) => {
      if (!allowed.includes(x.status)) return undefined;
      x.status = 'published';
      x.url = body.url;
      if (body.platformPostId) x.platformPostId = body.platformPostId;
      x.publishedAt = now.toISOString();
      delete x.error;
      delete x.armed;
      delete x.ambiguous;
      delete x.nextAttemptAt;
      x.history = withHistory(x, { event: actor.admin ? 'resolved_published' : 'handoff_completed', status: 'published', actor: actor.admin ? 'admin' : actor.id, message: body.url, ...(body.reason ? { reason: body.reason } : {}) }, now);
      return x;
    });
    if (!res?.changed) throw new ApiError('conflict', `delivery ${d.id} changed meanwhile; read it again`);
    this.events.changed(res.delivery);
    return res.delivery;
  }

  /** Admin: the platform was checked and the post is not there. */
  async resolveNotPublished(d: Delivery, reason: string): Promise<Delivery> {
    if (d.status !== 'unknown' && d.status !== 'awaiting_action') throw new ApiError('conflict', `delivery ${d.id} is ${d.status}; only unknown or awaiting_action deliveries can be resolved`);
    const res = await this.store.deliveries.update(d.id, (x, now) => {
      if (x.status !== d.status) return undefined;
      x.status = 'failed';
      x.error = { code: 'resolved_not_published', message: `an admin confirmed it was not published: ${reason}`, retryable: true };
      delete x.armed;
      delete x.nextAttemptAt;
      delete x.ambiguous;
      x.history = withHistory(x, { event: 'resolved_not_published', status: 'failed', actor: 'admin', reason }, now);
      return x;
    });
    if (!res?.changed) throw new ApiError('conflict', `delivery ${d.id} changed meanwhile; read it again`);
    this.events.changed(res.delivery);
    return res.delivery;
  }
}
