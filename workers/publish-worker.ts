/**
 * BullMQ workers, one per platform queue, running `runDelivery`. A run that must come
 * back later moves its own job to the delayed set (no BullMQ attempt is spent).
 */
import { DelayedError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { PlatformName } from '../src/platform/port.ts';
import { queueName, type PublishJobData } from '../src/queue/queues.ts';
import { createBullConnection } from '../src/store/redis.ts';
import { runDelivery, type RunDeps } from './run-delivery.ts';

export interface PublishWorkers {
  /** Stop taking jobs, let in-flight runs finish (up to timeoutMs), then hand back the rest. */
  close(timeoutMs: number): Promise<void>;
  workers: Worker<PublishJobData>[];
}

export function startPublishWorkers(opts: {
  deps: Omit<RunDeps, 'stopping'>;
  redisUrl: string;
  prefix: string;
  platforms: PlatformName[];
  concurrency: number;
  lockMs: number;
  log: Logger;
}): PublishWorkers {
  let stopping = false;
  const deps: RunDeps = { ...opts.deps, stopping: () => stopping };
  const controllers = new Set<AbortController>();
  const workers = opts.platforms.map((platform) => {
    const limiter = opts.deps.runtime.adapter(platform)?.manifest.queueLimiter;
    const worker = new Worker<PublishJobData>(
      queueName(platform),
      async (job, token) => {
        const ctrl = new AbortController();
        controllers.add(ctrl);
        try {
          const result = await runDelivery(deps, job.data.d, ctrl.signal);
          if (result.kind === 'delay') {
            await job.moveToDelayed(Math.max(result.until, Date.now()), token);
            throw new DelayedError();
          }
        } finally {
          controllers.delete(ctrl);
        }
      },
      {
        connection: createBullConnection(opts.redisUrl),
        prefix: opts.prefix,
        concurrency: opts.concurrency,
        // Runs are safe to repeat (claims and armed writes decide), so a stalled job may come back.
        maxStalledCount: 10,
        stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
        lockDuration: opts.lockMs,
        ...(limiter ? { limiter: { max: limiter.max, duration: limiter.durationMs } } : {}),
      },
    );
    worker.on('error', (err) => opts.log.error({ err, platform }, 'worker error'));
    worker.on('failed', (job, err) => opts.log.error({ err, deliveryId: job?.data.d, platform }, 'publish job failed unexpectedly; the sweeper will pick it up'));
    return worker;
  });

  return {
    workers,
    async close(timeoutMs) {
      stopping = true;
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref())]);
      if (timedOut) {
        opts.log.warn('shutdown timeout: aborting in-flight runs; their jobs return to the queue');
        for (const c of controllers) c.abort();
        await Promise.all(workers.map((w) => w.close(true)));
      }
      await Promise.all(workers.map((w) => w.disconnect()));
    },
  };
}
