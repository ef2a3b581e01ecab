/**
 * One BullMQ queue per platform. Job id = delivery id, so a delivery can never have two
 * jobs at once; job data carries the id only (Redis records hold the content).
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PlatformName } from '../platform/port.ts';

export const JOB_NAME = 'publish';
export interface PublishJobData {
  d: string;
}

export const queueName = (platform: PlatformName) => `publish-${platform}`;

const JOB_OPTS: JobsOptions = {
  // The worker decides retries (workers/outcome.ts); BullMQ runs each job once per enqueue.
  attempts: 1,
  removeOnComplete: true,
  removeOnFail: true,
};

/**
 * Deliveries due further ahead than this get no BullMQ job yet: Herald's due index holds
 * them and the promoter (queue/promoter.ts) creates their delayed job when they come within
 * the lookahead. 100,000 far-future posts then cost no queue memory.
 */
export const DEFAULT_LOOKAHEAD_MS = 60_000;

export class PublishQueues {
  private readonly queues = new Map<PlatformName, Queue<PublishJobData>>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    platforms: Iterable<PlatformName>,
    readonly lookaheadMs = DEFAULT_LOOKAHEAD_MS,
  ) {
    for (const p of platforms) {
      this.queues.set(p, new Queue<PublishJobData>(queueName(p), { connection, prefix, defaultJobOptions: JOB_OPTS }));
    }
  }

  platforms(): PlatformName[] {
    return [...this.queues.keys()];
  }

  queue(platform: PlatformName): Queue<PublishJobData> {
    const q = this.queues.get(platform);
    if (!q) throw new Error(`no queue for platform ${platform}`);
    return q;
  }

  /** Adds a job unless one with this delivery id already exists (then it is a no-op). */
  async enqueue(deliveryId: string, platform: PlatformName, runAt: number): Promise<void> {
    await this.queue(platform).add(JOB_NAME, { d: deliveryId }, { jobId: deliveryId, delay: Math.max(0, runAt - Date.now()) });
  }

  /**
   * Give a delivery its job if it is due soon; later ones wait in the due index for the
   * promoter. Twice the lookahead, so a promoter tick racing this call cannot skip it.
   */
  async schedule(deliveryId: string, platform: PlatformName, runAt: number): Promise<void> {
    if (runAt - Date.now() <= 2 * this.lookaheadMs) await this.enqueue(deliveryId, platform, runAt);
  }

  async scheduleMany(items: { deliveryId: string; platform: PlatformName; runAt: number }[]): Promise<void> {
    const now = Date.now();
    await this.enqueueMany(items.filter((it) => it.runAt - now <= 2 * this.lookaheadMs));
  }

  async enqueueMany(items: { deliveryId: string; platform: PlatformName; runAt: number }[]): Promise<void> {
    if (items.length === 0) return;
    const byPlatform = new Map<PlatformName, typeof items>();
    for (const it of items) byPlatform.set(it.platform, [...(byPlatform.get(it.platform) ?? []), it]);
    const now = Date.now();
    await Promise.all(
      [...byPlatform].map(([p, list]) =>
        this.queue(p).addBulk(list.map((it) => ({ name: JOB_NAME, data: { d: it.deliveryId }, opts: { ...JOB_OPTS, jobId: it.deliveryId, delay: Math.max(0, it.runAt - now) } }))),
      ),
    );
  }

  /** Remove a waiting or delayed job. Returns false when the job is running (locked). */
  async remove(deliveryId: string, platform: PlatformName): Promise<boolean> {
    const job = await this.queue(platform).getJob(deliveryId);
    if (!job) return true;
    const state = await job.getState();
    if (state === 'active') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }

  /** Move a not-yet-started delivery to a new run time (its job, if any, follows). */
  async reschedule(deliveryId: string, platform: PlatformName, runAt: number): Promise<boolean> {
    if (!(await this.remove(deliveryId, platform))) return false;
    await this.schedule(deliveryId, platform, runAt);
    return true;
  }

  async counts() {
    const out: Record<string, { counts: Record<string, number>; paused: boolean }> = {};
    await Promise.all(
      [...this.queues].map(async ([p, q]) => {
        const [counts, paused] = await Promise.all([
          q.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children'),
          q.isPaused(),
        ]);
        out[p] = { counts, paused };
      }),
    );
    return out;
  }

  async pause(platform: PlatformName) {
    await this.queue(platform).pause();
  }

  async resume(platform: PlatformName) {
    await this.queue(platform).resume();
  }

  async close() {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
