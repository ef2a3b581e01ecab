/**
 * The delivery state machine and the derived post status. Pure functions: the store
 * applies them atomically, the worker and the API decide which transition to ask for.
 */
import type { HandoffPackage, PlatformName } from '../platform/port.ts';

export const DELIVERY_STATUSES = [
  'scheduled', 'queued', 'publishing', 'processing', 'published', 'retrying', 'failed', 'unknown',
  'awaiting_action', 'canceled',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const POST_STATUSES = ['scheduled', 'publishing', 'published', 'partial', 'failed', 'canceled'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export interface DeliveryError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface HistoryEntry {
  at: string;
  event: string;
  status: DeliveryStatus;
  attempt?: number;
  code?: string;
  message?: string;
  platformStatus?: number;
  /** The platform's raw reason (e.g. DUPLICATE_POST, quotaExceeded); `code` is Herald's. */
  platformCode?: string;
  actor?: string;
  reason?: string;
}

/** Who hears about every delivery change (sandbox narration, tests); wired by the composition root. */
export interface DeliveryEvents {
  changed(d: Delivery): void;
}

export interface Delivery {
  id: string;
  postId: string;
  creatorId: string;
  accountId: string;
  platform: PlatformName;
  status: DeliveryStatus;
  /** Attempts that counted (rate-limit waits do not). */
  attempts: number;
  scheduledAt: string;
  platformPostId?: string;
  url?: string;
  error?: DeliveryError;
  nextAttemptAt?: string;
  publishedAt?: string;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
  /** Adapter checkpoint (uploaded media ids, session URIs, posted thread items). */
  progress?: Record<string, unknown>;
  /** The current run's claim; a run that lost it may not write. */
  claim?: { token: string; at: string };
  /** A non-idempotent write in flight: if the run dies now, the outcome is unknown. */
  armed?: { label: string; token: string; at: string };
  /** An earlier attempt ended with an unknown outcome (cleared once the outcome is settled). */
  ambiguous?: boolean;
  /** A platform write of this delivery landed (e.g. a thread's first item): it has started for good. */
  written?: true;
  /** The post version this delivery was last edited to (absent: the version it was created with, 0). */
  postV?: number;
  /** Automatic reconcile lookups done after an unknown outcome. */
  reconciles?: number;
  handoff?: HandoffPackage;
  /** Attempts already spent before the last manual retry (the retry budget starts here). */
  attemptBase?: number;
  /** ms epoch: an edit or cancel of the post holds this delivery; workers wait. */
  editLock?: number;
  /** Optimistic-concurrency version. */
  v: number;
}

export const TERMINAL: ReadonlySet<DeliveryStatus> = new Set(['published', 'failed', 'unknown', 'canceled']);
/** States a worker may claim from. */
export const CLAIMABLE: ReadonlySet<DeliveryStatus> = new Set(['scheduled', 'queued', 'retrying', 'processing', 'publishing']);
/** States that have not started: editable and cancelable. */
export const NOT_STARTED: ReadonlySet<DeliveryStatus> = new Set(['scheduled', 'queued']);

/**
 * True when something of this delivery may be on the platform: a write landed, is armed, or
 * ended with an unknown outcome. Such a delivery is never "not started", whatever its status
 * (a thread with item 0 live goes back to `queued` after a retry or a shutdown hand-back).
 */
export function touchedPlatform(d: Pick<Delivery, 'written' | 'armed' | 'ambiguous'>): boolean {
  return d.written === true || d.armed !== undefined || d.ambiguous === true;
}

/** Scheduled or queued, and nothing was written to the platform: editable and cancelable. */
export function notStarted(d: Delivery): boolean {
  return NOT_STARTED.has(d.status) && !touchedPlatform(d);
}
/** States the sweeper watches (a job should exist for them). */
export const LIVE: ReadonlySet<DeliveryStatus> = new Set(['scheduled', 'queued', 'publishing', 'processing', 'retrying']);

const ALLOWED: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  scheduled: ['queued', 'publishing', 'retrying', 'failed', 'canceled'],
  queued: ['scheduled', 'publishing', 'retrying', 'failed', 'canceled'],
  publishing: ['published', 'processing', 'retrying', 'failed', 'unknown', 'awaiting_action', 'queued', 'publishing'],
  processing: ['publishing', 'published', 'processing', 'retrying', 'failed', 'unknown', 'queued'],
  retrying: ['publishing', 'queued', 'retrying', 'failed', 'canceled'],
  failed: ['queued'],
  unknown: ['publishing', 'published', 'failed', 'queued', 'unknown'],
  awaiting_action: ['published', 'failed', 'canceled'],
  published: [],
  canceled: [],
};

export class TransitionError extends Error {
  override readonly name = 'TransitionError';
  constructor(readonly from: DeliveryStatus, readonly to: DeliveryStatus) {
    super(`a delivery cannot go from ${from} to ${to}`);
  }
}

export function canTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** When the sweeper should expect this delivery's job to have run, or undefined if it needs none. */
export function dueAt(d: Delivery): number | undefined {
  if (!LIVE.has(d.status)) return undefined;
  if (d.status === 'scheduled') return Date.parse(d.scheduledAt);
  if (d.status === 'retrying' || d.status === 'processing') return Date.parse(d.nextAttemptAt ?? d.updatedAt);
  return Date.parse(d.updatedAt);
}

const HISTORY_CAP = 60;
export function withHistory(d: Delivery, entry: Omit<HistoryEntry, 'at' | 'status'> & { status?: DeliveryStatus }, now: Date): HistoryEntry[] {
  const h = [...d.history, { at: now.toISOString(), status: entry.status ?? d.status, ...entry }];
  // Keep the first entries (how it started) and the latest ones.
  return h.length > HISTORY_CAP ? [...h.slice(0, 10), ...h.slice(h.length - (HISTORY_CAP - 10))] : h;
}

export function derivePostStatus(deliveries: readonly Pick<Delivery, 'status'>[]): PostStatus {
  if (deliveries.length === 0) return 'canceled';
  const live = deliveries.filter((d) => d.status !== 'canceled');
  if (live.length === 0) return 'canceled';
  const count = (s: DeliveryStatus) => live.filter((d) => d.status === s).length;
  const finished = live.filter((d) => TERMINAL.has(d.status)).length;
  if (finished < live.length) {
    return live.every((d) => d.status === 'scheduled') ? 'scheduled' : 'publishing';
  }
  const published = count('published');
  if (published === live.length) return 'published';
  if (published === 0) return 'failed';
  return 'partial';
}

/** Exponential backoff with jitter: 5 s, 10 s, 20 s … capped at 15 min. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
  return Math.round(base * (0.8 + random() * 0.4));
}
