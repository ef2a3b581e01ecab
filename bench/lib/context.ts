/** What every scenario gets: the run's Redis, where to log, the limits measured so far, the sizes. */
import type { BenchRedis } from './redis.ts';
import type { Row } from './results.ts';

export interface Limits {
  /** Fastify hello-world, req/s (autocannon, same connections and duration as the accept run). */
  helloRps?: number;
  /** BullMQ Queue.add, jobs/s with 64 calls in flight. */
  addJobsPerSec?: number;
  /** BullMQ Worker, concurrency 100, no-op processor, jobs/s. */
  processJobsPerSec?: number;
  /** redis-benchmark SET ops/s. */
  redisSetOps?: number;
}

export interface Sizes {
  /** autocannon connections for every HTTP load. */
  connections: number;
  /** Seconds of each timed HTTP load (hello-world, accept at saturation, accept at half). */
  loadSeconds: number;
  addSeconds: number;
  processJobs: number;
  /** Posts (3 targets) through the no-op platform, for each e2e measurement. */
  e2ePosts: number;
  /** Posts (3 targets) through the X simulator. */
  e2eSimPosts: number;
  /** Scheduled deliveries pending (far future) while the due ones run. */
  schedPending: number;
  /** Deliveries due within `schedSpreadMs`, starting `schedLeadMs` after they are posted. */
  schedDue: number;
  schedLeadMs: number;
  schedSpreadMs: number;
  /** Scheduled 3-target posts for the memory figure. */
  memPosts: number;
  youtubeBytes: number;
  xVideoBytes: number;
}

const MiB = 1024 * 1024;

export function sizes(quick: boolean): Sizes {
  return quick
    ? {
      connections: 64, loadSeconds: 8, addSeconds: 8, processJobs: 20_000, e2ePosts: 1_500, e2eSimPosts: 500,
      schedPending: 10_000, schedDue: 300, schedLeadMs: 8_000, schedSpreadMs: 3_000, memPosts: 10_000,
      youtubeBytes: 256 * MiB, xVideoBytes: 256 * MiB,
    }
    : {
      connections: 64, loadSeconds: 30, addSeconds: 20, processJobs: 60_000, e2ePosts: 10_000, e2eSimPosts: 3_000,
      schedPending: 100_000, schedDue: 1_000, schedLeadMs: 10_000, schedSpreadMs: 3_000, memPosts: 100_000,
      youtubeBytes: 1024 * MiB, xVideoBytes: 400 * MiB,
    };
}

export interface Ctx {
  quick: boolean;
  sizes: Sizes;
  runDir: string;
  logDir: string;
  redis: BenchRedis;
  limits: Limits;
  /** A fresh REDIS_PREFIX for one Herald deployment of a scenario. */
  prefix(name: string): string;
  log(message: string): void;
}

export type Scenario = (ctx: Ctx) => Promise<Row[]>;

/** A far-future scheduledAt (30 days), so a post stays `scheduled` with a delayed job. */
export const farFuture = () => new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
export const FAR_FUTURE_DELAY_MS = 30 * 24 * 3600 * 1000;
