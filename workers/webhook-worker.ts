/**
 * The webhook sender: a BullMQ worker on its own queue, apart from the publish workers, so a
 * slow receiver never delays a publish. A job waiting for its next attempt moves itself to
 * the delayed set (like publish jobs), so its id stays the same across retries.
 */
import { DelayedError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { createBullConnection } from '../src/store/redis.ts';
import type { Store } from '../src/store/index.ts';
import { attemptWebhook, type AttemptDeps } from '../src/webhooks/attempt.ts';
import { WEBHOOK_QUEUE, type WebhookJobData } from '../src/webhooks/queue.ts';
import type { WebhookSettings } from '../src/webhooks/settings.ts';

export function startWebhookWorker(opts: { store: Store; settings: WebhookSettings; redisUrl: string; prefix: string; log: Logger; metrics?: AttemptDeps['metrics'] }): Worker<WebhookJobData> {
  const deps: AttemptDeps = { store: opts.store, settings: opts.settings, log: opts.log, ...(opts.metrics ? { metrics: opts.metrics } : {}) };
  const worker = new Worker<WebhookJobData>(
    WEBHOOK_QUEUE,
    async (job, token) => {
      const { retryInMs } = await attemptWebhook(deps, job.data);
      if (retryInMs !== undefined) {
        await job.moveToDelayed(Date.now() + retryInMs, token);
        throw new DelayedError();
      }
    },
    { connection: createBullConnection(opts.redisUrl), prefix: opts.prefix, concurrency: opts.settings.concurrency, maxStalledCount: 10 },
  );
  worker.on('error', (err) => opts.log.error({ err }, 'webhook worker error'));
  worker.on('failed', (job, err) => opts.log.error({ err, webhookId: job?.data.w, eventId: job?.data.e }, 'webhook job failed unexpectedly'));
  return worker;
}
