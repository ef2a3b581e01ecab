import type { JobsOptions } from 'bullmq';

/** Webhook events go out from this queue, never from the publish workers. */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB = 'send';

export interface WebhookJobData {
  /** Webhook id. */
  w: string;
  /** Event id. */
  e: string;
}

/** One job per (webhook, event); the job itself moves to delayed between retries. */
export const webhookJobId = (d: WebhookJobData) => `${d.w}-${d.e}`;

/**
 * Retries of a receiver's failures are decided in attempt.ts (the job moves itself to the
 * delayed set, which spends no BullMQ attempt); these attempts only cover Herald's own
 * failures while handling the job (a Redis blip).
 */
export const WEBHOOK_JOB_OPTS: JobsOptions = { attempts: 10, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: true };
