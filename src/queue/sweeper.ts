/**
 * Never lose an accepted post: re-enqueue every live delivery that is due but has no job
 * (Redis restarted, a bug, an enqueue lost after the 202). Adding a job whose id exists is
 * a no-op in BullMQ, so the sweeper can never start a second run of a delivery.
 */
import type { Logger } from 'pino';
import { LIVE } from '../domain/delivery.ts';
import type { Store } from '../store/index.ts';
import type { PublishQueues } from './queues.ts';

export interface SweepResult {
  examined: number;
  enqueued: number;
}

/** Deliveries due this long ago without having run are considered lost. */
const GRACE_MS = 5_000;

export async function sweep(store: Store, queues: PublishQueues, log: Logger, now = Date.now()): Promise<SweepResult> {
  let examined = 0;
  let enqueued = 0;
  let offset = 0;
  const batch = 500;
  const platforms = new Set(queues.platforms());
  for (;;) {
    const ids = await store.redis.zrangebyscore(store.k.due, '-inf', now - GRACE_MS, 'LIMIT', offset, batch);
    if (ids.length === 0) break;
    offset += ids.length;
    const deliveries = await store.deliveries.getMany(ids);
    for (const d of deliveries) {
      if (!d || !LIVE.has(d.status) || !platforms.has(d.platform)) continue;
      examined++;
      const q = queues.queue(d.platform);
      const job = await q.getJob(d.id);
      if (job) continue;
      await queues.enqueue(d.id, d.platform, now);
      enqueued++;
      log.warn({ deliveryId: d.id, status: d.status }, 'sweeper re-enqueued a due delivery that had no job');
    }
    if (ids.length < batch) break;
  }
  return { examined, enqueued };
}

/** Runs `task` now and every `intervalMs`, never two at once; errors are logged. */
export function every<T>(task: () => Promise<T>, intervalMs: number, log: Logger, what: string): { stop(): void; runNow(): Promise<T> } {
  let running: Promise<T> | undefined;
  const runNow = () => {
    running ??= task().finally(() => (running = undefined));
    return running;
  };
  const tick = () => runNow().catch((err) => log.error({ err }, `${what} failed`));
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runNow };
}

export function startSweeper(store: Store, queues: PublishQueues, log: Logger, intervalMs: number) {
  return every(() => sweep(store, queues, log), intervalMs, log, 'sweep');
}
