/**
 * Collects one published delivery's engagement through its adapter's `readMetrics`, with
 * fresh credentials (the token refresher), and stores the reading. A platform without a
 * reader, or a reader that says the scopes give nothing, is stored as "unavailable" with the
 * reason — never as zeros. A failed read keeps the previous reading and is tried again later.
 */
import type { Logger } from 'pino';
import { AdapterError } from '../platform/errors.ts';
import type { Credentials, PlatformAdapter, MetricsReading } from '../platform/port.ts';
import type { Account } from '../store/accounts.ts';
import type { PlatformRuntime } from '../platform/runtime.ts';
import type { Store } from '../store/index.ts';
import type { AnalyticsSettings } from './settings.ts';

export interface CollectorDeps {
  store: Store;
  runtime: PlatformRuntime;
  /** The worker's token refresher (wired by the composition root): fresh credentials for a read. */
  refresher: {
    ensureFresh(account: Account, adapter: PlatformAdapter, current: Credentials, failedAccessToken?: string): Promise<{ credentials: Credentials }>;
  };
  settings: AnalyticsSettings;
  log: Logger;
}

/** The collections a newly published delivery gets. */
export function publishedSchedule(settings: AnalyticsSettings, deliveryId: string, publishedAt: number) {
  return settings.schedule.map((s) => ({ deliveryId, label: s.label, at: publishedAt + s.afterMs }));
}

export async function collectEngagement(deps: CollectorDeps, deliveryId: string, signal: AbortSignal): Promise<void> {
  const { store, runtime, log } = deps;
  const d = await store.deliveries.get(deliveryId);
  if (!d || d.status !== 'published' || !d.platformPostId) return;
  const previous = await store.engagement.get(d.id);
  const base = { deliveryId: d.id, platform: d.platform, collectedAt: new Date().toISOString() };
  const adapter = runtime.adapter(d.platform);
  if (!adapter?.readMetrics) {
    const name = adapter?.manifest.displayName ?? d.platform;
    await store.engagement.save({ ...base, status: 'unavailable', reason: `Herald cannot read engagement from ${name}: its API offers no reader Herald uses` });
    return;
  }
  const found = await store.accounts.getWithCredentials(d.accountId);
  if (!found) {
    await store.engagement.save({ ...base, status: 'unavailable', reason: 'the account was disconnected, so its posts\' numbers cannot be read' });
    return;
  }
  try {
    const reading = await read(deps, adapter, found, d.platformPostId, signal);
    await store.engagement.save({ ...base, ...(reading.status === 'ok' ? { status: 'ok', metrics: reading.metrics } : { status: 'unavailable', reason: reading.reason }) });
  } catch (err) {
    const e = AdapterError.is(err) ? err : undefined;
    const failures = (previous?.failures ?? 0) + 1;
    const lastError = { code: e?.code ?? 'collect_failed', message: (err as Error).message, at: base.collectedAt };
    log.warn({ err, deliveryId: d.id, platform: d.platform }, 'engagement collection failed');
    if (previous) await store.engagement.save({ ...previous, lastError, failures });
    else await store.engagement.save({ ...base, status: 'unavailable', reason: 'the first collection failed; it will be tried again', lastError, failures });
    if (failures <= deps.settings.maxRetries && e?.kind !== 'auth' && e?.kind !== 'rejected') {
      const at = e?.retryAt ? e.retryAt.getTime() : Date.now() + deps.settings.retryAfterMs;
      await store.engagement.schedule([{ deliveryId: d.id, label: 'retry', at }]);
    }
  }
}

async function read(
  deps: CollectorDeps, adapter: PlatformAdapter, found: NonNullable<Awaited<ReturnType<Store['accounts']['getWithCredentials']>>>,
  platformPostId: string, signal: AbortSignal,
): Promise<MetricsReading> {
  const { account } = found;
  const input = { platformPostId, account: { id: account.id, externalId: account.externalId, settings: account.settings, ...(account.handle ? { handle: account.handle } : {}) } };
  const ctx = (credentials: typeof found.credentials) => ({
    credentials, http: deps.runtime.http(account.platform, signal), settings: deps.runtime.settings(account.platform), signal, log: deps.log,
  });
  let { credentials } = await deps.refresher.ensureFresh(account, adapter, found.credentials);
  try {
    return await adapter.readMetrics!(input, ctx(credentials));
  } catch (err) {
    // A 401 on a token that looked fresh: refresh once (the same rule as publishing), then read again.
    if (!(AdapterError.is(err) && err.kind === 'auth' && err.refreshable)) throw err;
    ({ credentials } = await deps.refresher.ensureFresh(account, adapter, credentials, credentials.accessToken));
    return adapter.readMetrics!(input, ctx(credentials));
  }
}
