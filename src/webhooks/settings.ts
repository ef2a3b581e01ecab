import type { PrivateAccess } from '../media/url-policy.ts';

/** How webhooks are sent and retried. Defaults follow PRODUCT.md; tests shorten them. */
export interface WebhookSettings {
  /** The whole POST, connect to last byte; no answer in time is a failed attempt. */
  timeoutMs: number;
  /** Retries stop this long after an event was queued, and a webhook failing this long without a 2xx is disabled (one day). */
  retryWindowMs: number;
  /** Exponential backoff: base × 2^(attempt−1), capped, ±20 % jitter. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** How often the relay looks at the event outbox. */
  relayIntervalMs: number;
  /** Events sent at once per worker process. */
  concurrency: number;
  allowPrivateUrls: PrivateAccess;
  /** The clock for retry windows and signatures (tests move it forward instead of waiting a day). */
  now: () => number;
}

export const DEFAULT_WEBHOOK_SETTINGS: Omit<WebhookSettings, 'allowPrivateUrls'> = {
  timeoutMs: 10_000,
  retryWindowMs: 24 * 3600_000,
  backoffBaseMs: 10_000,
  backoffCapMs: 3600_000,
  relayIntervalMs: 500,
  concurrency: 10,
  now: () => Date.now(),
};

/** 10 s, 20 s, 40 s … capped at an hour: about 30 attempts in the day. */
export function webhookBackoffMs(s: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffCapMs'>, attempt: number, random = Math.random): number {
  const base = Math.min(s.backoffBaseMs * 2 ** Math.max(0, attempt - 1), s.backoffCapMs);
  return Math.round(base * (0.8 + random() * 0.4));
}
