/**
 * Prometheus metrics (prom-client), one registry per Herald process. Every series Herald
 * exposes is named here; the rest of the code calls the small methods below and never
 * touches prom-client. Counters are per process: Prometheus sums them across instances.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Delivery, DeliveryStatus } from '../domain/delivery.ts';

/** Statuses a publish run ends in (or an admin sets): what `herald_deliveries_total` counts. */
const OUTCOMES: ReadonlySet<DeliveryStatus> = new Set(['published', 'failed', 'retrying', 'unknown', 'processing', 'awaiting_action']);

/** What became of one webhook delivery attempt. */
export type WebhookResult = 'success' | 'http_error' | 'timeout' | 'network_error';

/** Queue counts per platform, as PublishQueues.counts() returns them. */
export type QueueCounts = Record<string, { counts: Record<string, number>; paused: boolean }>;

/** Remembered runs (delivery id → claim time); bounded like the sandbox narrator. */
const MAX_TRACKED = 10_000;

export class HeraldMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'platform' | 'outcome'>;
  private readonly publishSeconds: Histogram<'platform' | 'outcome'>;
  private readonly refreshes: Counter<'platform' | 'result'>;
  private readonly webhooks: Counter<'result'>;
  private readonly lastStatus = new Map<string, { status: DeliveryStatus; claimedAt?: number }>();

  constructor() {
    const registers = [this.registry];
    // Standard names (process_*, nodejs_*), so the usual Node.js dashboards work unchanged.
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these three gauges *_total, which `promtool check metrics` rejects
    // (only counters end in _total); the same counts remain, per type, in
    // nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
    this.deliveries = new Counter({
      name: 'herald_deliveries_total', registers,
      help: 'Deliveries that reached an outcome (published, failed, retrying, unknown, processing, awaiting_action), by platform; counted by the process that made the change',
      labelNames: ['platform', 'outcome'],
    });
    this.publishSeconds = new Histogram({
      name: 'herald_publish_duration_seconds', registers,
      help: 'Time from a worker claiming a delivery to the outcome of that run, by platform and outcome',
      labelNames: ['platform', 'outcome'],
      // Text posts take well under a second; video uploads take minutes.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    });
    this.refreshes = new Counter({
      name: 'herald_token_refreshes_total', registers,
      help: 'OAuth token refresh calls to platforms, by platform and result (ok or failed)',
      labelNames: ['platform', 'result'],
    });
    this.webhooks = new Counter({
      name: 'herald_webhook_deliveries_total', registers,
      help: 'Webhook delivery attempts, by result (success = 2xx; http_error, timeout, network_error are retried)',
      labelNames: ['result'],
    });
  }

  /**
   * A delivery changed (the DeliveryEvents listener). Counts entries into an outcome status
   * and, for runs this process claimed, the time from claim to outcome.
   */
  deliveryChanged(d: Delivery): void {
    const seen = this.lastStatus.get(d.id);
    if (d.status === 'publishing' && d.claim) {
      if (this.lastStatus.size >= MAX_TRACKED) this.lastStatus.clear();
      this.lastStatus.set(d.id, { status: d.status, claimedAt: Date.parse(d.claim.at) });
      return;
    }
    if (seen?.status === d.status) return;
    if (OUTCOMES.has(d.status)) {
      this.deliveries.inc({ platform: d.platform, outcome: d.status });
      if (seen?.claimedAt !== undefined) {
        this.publishSeconds.observe({ platform: d.platform, outcome: d.status }, Math.max(0, Date.now() - seen.claimedAt) / 1000);
      }
    }
    if (this.lastStatus.size >= MAX_TRACKED) this.lastStatus.clear();
    this.lastStatus.set(d.id, { status: d.status });
  }

  /** One refresh call to a platform finished. */
  tokenRefresh(platform: string, ok: boolean): void {
    this.refreshes.inc({ platform, result: ok ? 'ok' : 'failed' });
  }

  /** One webhook delivery attempt finished. */
  webhookDelivery(result: WebhookResult): void {
    this.webhooks.inc({ result });
  }

  /**
   * Queue depth per platform and BullMQ state, read from Redis at scrape time (so every
   * process that can reach the queues reports the same numbers).
   */
  watchQueues(read: () => Promise<QueueCounts>): void {
    const once = oncePerScrape(read);
    new Gauge({
      name: 'herald_queue_jobs', registers: [this.registry],
      help: 'Jobs in each platform publish queue, by BullMQ state (read at scrape time)',
      labelNames: ['platform', 'state'],
      async collect() {
        this.reset();
        for (const [platform, q] of Object.entries(await once())) {
          for (const [state, n] of Object.entries(q.counts)) this.set({ platform, state }, n);
        }
      },
    });
    new Gauge({
      name: 'herald_queue_paused', registers: [this.registry],
      help: '1 when a platform queue is paused by an admin',
      labelNames: ['platform'],
      async collect() {
        this.reset();
        for (const [platform, q] of Object.entries(await once())) this.set({ platform }, q.paused ? 1 : 0);
      },
    });
  }

  /** Delivery totals by status, from Herald's status counters at scrape time. */
  watchDeliveryStatuses(read: () => Promise<Record<string, number>>): void {
    new Gauge({
      name: 'herald_delivery_status', registers: [this.registry],
      help: 'Deliveries currently in each status (all creators, read at scrape time)',
      labelNames: ['status'],
      async collect() {
        this.reset();
        for (const [status, n] of Object.entries(await read())) this.set({ status }, n);
      },
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Both queue gauges collect in the same scrape: one Redis read serves them. */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!pending || Date.now() - pending.at > 1_000) pending = { at: Date.now(), value: read() };
    return pending.value;
  };
}
