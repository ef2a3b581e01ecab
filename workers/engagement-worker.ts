/**
 * The engagement collector: a tick hands due collections (the schedule in Redis) to the
 * `engagement` BullMQ queue, and a worker on that queue reads the numbers. Its own queue, so
 * reading engagement never competes with publishing.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { collectEngagement, type CollectorDeps } from '../src/analytics/collector.ts';
import { every } from '../src/queue/sweeper.ts';
import { createBullConnection } from '../src/store/redis.ts';

export const ENGAGEMENT_QUEUE = 'engagement';
interface EngagementJob {
  d: string;
}

/** Collections handed to the queue per tick. */
const BATCH = 500;
const READ_TIMEOUT_MS = 60_000;

export interface EngagementCollector {
  /** Hand due collections to the queue now; returns how many. */
  tickNow(): Promise<number>;
  close(): Promise<void>;
}

export function startEngagementCollector(opts: { deps: CollectorDeps; connection: Redis; redisUrl: string; prefix: string; log: Logger }): EngagementCollector {
  const { deps, log } = opts;
  const queue = new Queue<EngagementJob>(ENGAGEMENT_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  const worker = new Worker<EngagementJob>(
    ENGAGEMENT_QUEUE,
    async (job) => {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), READ_TIMEOUT_MS);
      try {
        await collectEngagement(deps, job.data.d, ctrl.signal);
      } finally {
        clearTimeout(timer);
      }
    },
    { connection: createBullConnection(opts.redisUrl), prefix: opts.prefix, concurrency: 5 },
  );
  worker.on('error', (err) => log.error({ err }, 'engagement worker error'));
  worker.on('failed', (job, err) => log.error({ err, deliveryId: job?.data.d }, 'engagement collection job failed'));

  // A member is removed only after its job was added: a crash in between collects twice, never zero times.
  const tick = async () => {
    const members = await deps.store.engagement.due(Date.now(), BATCH);
    if (members.length === 0) return 0;
    await queue.addBulk(members.map((m) => ({
      name: 'collect', data: { d: m.slice(0, m.indexOf(':')) },
      opts: { jobId: `engagement-${m.replace(/:/g, '-')}-${Date.now()}`, removeOnComplete: true, removeOnFail: true },
    })));
    await deps.store.engagement.unschedule(members);
    return members.length;
  };
  const loop = every(tick, deps.settings.tickMs, log, 'engagement tick');
  return {
    tickNow: () => loop.runNow(),
    async close() {
      loop.stop();
      await loop.runNow().catch((err: unknown) => log.error({ err }, 'engagement tick failed at shutdown'));
      await worker.close();
      await queue.close();
    },
  };
}
