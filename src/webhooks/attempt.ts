/**
 * One attempt to send one event to one webhook, and what follows: a 2xx ends it; anything
 * else (another status, a timeout, a refused or disallowed address) schedules the next
 * attempt with exponential backoff until the retry window is spent. A webhook that has not
 * had a single 2xx for the whole window is disabled, visibly and audited.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';
import type { WebhookResult } from '../metrics/metrics.ts';
import { sendEvent, type SendResult } from './send.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { webhookBackoffMs, type WebhookSettings } from './settings.ts';
import type { WebhookJobData } from './queue.ts';

export interface AttemptDeps {
  store: Store;
  settings: WebhookSettings;
  log: Logger;
  /** Counts each attempt by result (herald_webhook_deliveries_total). */
  metrics?: { webhookDelivery(result: WebhookResult): void };
}

/** The metrics label for one attempt: a 2xx, another status, no answer in time, or no connection. */
export function webhookResult(res: SendResult): WebhookResult {
  if (res.ok) return 'success';
  if (res.status !== null) return 'http_error';
  return res.timedOut ? 'timeout' : 'network_error';
}

/** `retryInMs` when the event must be sent again later. */
export async function attemptWebhook(deps: AttemptDeps, job: WebhookJobData): Promise<{ retryInMs?: number }> {
  const { store, settings, log } = deps;
  const rec = await store.webhooks.getDelivery(job.w, job.e);
  if (!rec || rec.status !== 'pending') return {};
  const hook = await store.webhooks.get(job.w);
  const secret = hook ? await store.webhooks.secret(job.w) : undefined;
  if (!hook || hook.status !== 'active' || !secret) {
    const { nextAttemptAt: _n, ...rest } = rec;
    await store.webhooks.saveDelivery(job.w, { ...rest, status: 'failed' });
    return {};
  }

  const now = settings.now();
  const at = new Date(now).toISOString();
  const res = await sendEvent(hook.url, rec.body, {
    [SIGNATURE_HEADER]: signatureHeader(secret, rec.body, Math.floor(now / 1000)),
    'Herald-Event-Id': rec.eventId,
    'Herald-Event-Type': rec.type,
  }, { allowPrivate: settings.allowPrivateUrls, timeoutMs: settings.timeoutMs });
  deps.metrics?.webhookDelivery(webhookResult(res));
  const { nextAttemptAt: _prev, ...base } = rec;
  const tried = {
    ...base,
    attempts: rec.attempts + 1,
    responses: [...rec.responses, { at, status: res.status, ...(!res.ok && res.error ? { error: res.error } : {}) }],
  };

  if (res.ok) {
    await store.webhooks.saveDelivery(job.w, { ...tried, status: 'delivered', deliveredAt: at });
    await store.webhooks.markSuccess(job.w, at);
    return {};
  }

  const failingSince = await store.webhooks.markFailure(job.w, now);
  if (now - failingSince >= settings.retryWindowMs) {
    const reason = `no 2xx answer since ${new Date(failingSince).toISOString()} (last: ${res.status ?? res.error})`;
    if (await store.webhooks.disable(job.w, at, reason)) {
      await store.audit.append({ actor: 'system', action: 'webhook.disabled', target: job.w, reason, details: { url: hook.url, creatorId: hook.creatorId } });
      log.warn({ webhookId: job.w, url: hook.url, reason }, 'webhook disabled after a day of failures');
    }
    await store.webhooks.saveDelivery(job.w, { ...tried, status: 'failed' });
    return {};
  }

  const windowEnd = Date.parse(rec.createdAt) + settings.retryWindowMs;
  if (now >= windowEnd) {
    await store.webhooks.saveDelivery(job.w, { ...tried, status: 'failed' });
    return {};
  }
  // The last attempt lands at the end of the window rather than past it.
  const next = Math.min(now + webhookBackoffMs(settings, tried.attempts), windowEnd);
  await store.webhooks.saveDelivery(job.w, { ...tried, status: 'pending', nextAttemptAt: new Date(next).toISOString() });
  return { retryInMs: next - now };
}
