/**
 * Webhook events as data. An event is born in the same atomic Redis step as the change it
 * reports (a delivery's CAS write, an account's reauth write): it is pushed onto the event
 * outbox there, so a process that dies right after the change cannot lose it. The relay
 * (relay.ts) later turns outbox entries into one signed delivery per subscribed webhook.
 */
import type { Delivery, DeliveryStatus } from '../domain/delivery.ts';
import { newId } from '../store/ids.ts';

export const WEBHOOK_EVENTS = [
  'delivery.published', 'delivery.failed', 'delivery.unknown', 'delivery.awaiting_action',
  'post.completed', 'account.reauth_required',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
/** Sent by POST /v1/webhooks/:id/test to that webhook only, whatever it subscribes to. */
export type AnyEventType = WebhookEventType | 'webhook.test';

/** One outbox entry: the event and who it is for. `data` is the event body's `data`. */
export interface OutboxEntry {
  id: string;
  type: AnyEventType;
  creatorId: string;
  at: string;
  data: Record<string, unknown>;
  /** Only this webhook (test events). */
  webhookId?: string;
  /** The post of a delivery event (the relay checks whether the post is complete). */
  postId?: string;
}

const DELIVERY_EVENT: Partial<Record<DeliveryStatus, WebhookEventType>> = {
  published: 'delivery.published',
  failed: 'delivery.failed',
  unknown: 'delivery.unknown',
  awaiting_action: 'delivery.awaiting_action',
};

/** What a delivery event tells (the public delivery fields, without history and checkpoints). */
export function deliveryEventData(d: Delivery) {
  return {
    delivery: {
      id: d.id, postId: d.postId, accountId: d.accountId, platform: d.platform, status: d.status,
      attempts: d.attempts, platformPostId: d.platformPostId ?? null, url: d.url ?? null,
      error: d.error ?? null, publishedAt: d.publishedAt ?? null, handoff: d.handoff ?? null,
    },
  };
}

/** The outbox entry for a delivery write, if its status change is an event (else undefined). */
export function deliveryOutboxEntry(before: Delivery | undefined, after: Delivery): string | undefined {
  if (before?.status === after.status) return undefined;
  const type = DELIVERY_EVENT[after.status];
  if (!type) return undefined;
  const entry: OutboxEntry = { id: newId('evt'), type, creatorId: after.creatorId, at: after.updatedAt, postId: after.postId, data: deliveryEventData(after) };
  return JSON.stringify(entry);
}

export function accountReauthOutboxEntry(a: { id: string; creatorId: string; platform: string; externalId: string; handle?: string }, reason: string, at: string): string {
  const entry: OutboxEntry = {
    id: newId('evt'), type: 'account.reauth_required', creatorId: a.creatorId, at,
    data: { account: { id: a.id, platform: a.platform, externalId: a.externalId, handle: a.handle ?? null, reason } },
  };
  return JSON.stringify(entry);
}

/** The exact bytes sent (and signed) for an event; retries send the same bytes. */
export function eventBody(e: Pick<OutboxEntry, 'id' | 'type' | 'at' | 'data'>): string {
  return JSON.stringify({ id: e.id, type: e.type, createdAt: e.at, data: e.data });
}
