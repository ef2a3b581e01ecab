/**
 * Starts a real Herald (API and/or workers) on the test run's redis-server, isolated by a
 * unique key prefix, with platforms pointed at simulators started here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import type { Delivery } from '../../src/domain/delivery.ts';
import { REGISTRY } from '../../adapters/registry.ts';
import { startHerald, type Herald } from '../../src/main/herald.ts';
import type { PlatformAdapter, PlatformName } from '../../src/platform/port.ts';
import { adapterMap } from '../../src/platform/registry.ts';
import { silentLog } from './adapter-harness.ts';
import type { WebhookSettings } from '../../src/webhooks/settings.ts';
import type { AnalyticsSettings } from '../../src/analytics/settings.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const ENCRYPTION_KEY = 'a'.repeat(64);

export interface TestHerald extends Herald {
  dataDir: string;
  stop(): Promise<void>;
  /** Creates a creator and returns its API key and id. */
  creator(name?: string): Promise<{ id: string; key: string }>;
  /** Wait until the delivery satisfies `pred` (polling the store). */
  waitFor(deliveryId: string, pred: (d: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
}

export async function startTestHerald(opts: {
  worker?: boolean;
  api?: boolean;
  env?: Record<string, string>;
  platformUrls?: Partial<Record<'x' | 'linkedin' | 'youtube', string>>;
  webhooks?: Partial<WebhookSettings>;
  /** Adapters enabled besides the shipped ones (the kit's own test platform). */
  extraAdapters?: [PlatformName, PlatformAdapter][];
  analytics?: Partial<AnalyticsSettings>;
} = {}): Promise<TestHerald> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const prefix = `t${Math.random().toString(36).slice(2, 10)}`;
  const env: Record<string, string> = {
    HERALD_MODE: 'sandbox', PORT: '0', HOST: '127.0.0.1', REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix,
    DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN_KEY, ENCRYPTION_KEY, HERALD_ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '3000', X_CLIENT_ID: 'test-x-client', LINKEDIN_CLIENT_ID: 'test-li', LINKEDIN_CLIENT_SECRET: 'test-li-secret',
    YOUTUBE_CLIENT_ID: 'test-yt', YOUTUBE_CLIENT_SECRET: 'test-yt-secret',
    ...opts.env,
  };
  for (const [p, url] of Object.entries(opts.platformUrls ?? {})) env[`PLATFORM_${p.toUpperCase()}_URL`] = url;
  const config = loadConfig(env, REGISTRY);
  const herald = await startHerald({
    config, log: silentLog, adapters: new Map([...adapterMap(REGISTRY), ...(opts.extraAdapters ?? [])]),
    roles: { api: opts.api ?? true, worker: opts.worker ?? false },
    ...(opts.webhooks ? { webhooks: opts.webhooks } : {}),
    ...(opts.analytics ? { analytics: opts.analytics } : {}),
  });
  return {
    ...herald,
    dataDir,
    async stop() {
      await herald.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async creator(name = 'creator') {
      const { creator, apiKey } = await herald.store.creators.create(name);
      return { id: creator.id, key: apiKey };
    },
    async waitFor(deliveryId, pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Delivery | undefined;
      while (Date.now() < deadline) {
        last = await herald.store.deliveries.get(deliveryId);
        if (last && pred(last)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`delivery ${deliveryId} did not reach the expected state; last: ${JSON.stringify({ status: last?.status, error: last?.error, history: last?.history.map((h) => `${h.event}:${h.code ?? ''}:${h.message ?? ''}`) })}`);
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
