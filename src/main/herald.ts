/**
 * Composition root: wires the store, queues, services, API and workers for the roles a
 * process plays (`api`, `worker`, or both).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from '../api/app.ts';
import type { Services } from '../api/services.ts';
import type { Config } from '../config/env.ts';
import type { Delivery, DeliveryEvents } from '../domain/delivery.ts';
import { PostChanges } from '../domain/post-changes.ts';
import { PostService } from '../domain/posts-service.ts';
import { MEDIA_URL_KEY_PURPOSE, MediaStore } from '../media/store.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/endpoint.ts';
import { HeraldMetrics } from '../metrics/metrics.ts';
import { privateAccess } from '../media/url-policy.ts';
import { deriveKey } from '../store/crypto.ts';
import { OAuthService } from '../oauth/service.ts';
import type { PlatformAdapter, PlatformName } from '../platform/port.ts';
import { PlatformRuntime } from '../platform/runtime.ts';
import { PublishQueues } from '../queue/queues.ts';
import { every, startSweeper } from '../queue/sweeper.ts';
import { promote } from '../queue/promoter.ts';
import { Store } from '../store/index.ts';
import { assertNoEviction, createBullConnection, createRedis } from '../store/redis.ts';
import { startRedisServer, type RedisChild } from '../store/redis-child.ts';
import { randomBytes } from 'node:crypto';
import { startPublishWorkers, type PublishWorkers } from '../../workers/publish-worker.ts';
import { TokenRefresher } from '../../workers/token-refresh.ts';
import { createMediaOpener } from '../../workers/media-opener.ts';
import type { Account } from '../store/accounts.ts';
import { Queue, type Worker } from 'bullmq';
import { WebhookRelay } from '../webhooks/relay.ts';
import { WEBHOOK_QUEUE, type WebhookJobData } from '../webhooks/queue.ts';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks/settings.ts';
import { startWebhookWorker } from '../../workers/webhook-worker.ts';
import { startEngagementCollector, type EngagementCollector } from '../../workers/engagement-worker.ts';
import { publishedSchedule } from '../analytics/collector.ts';
import { DEFAULT_ANALYTICS_SETTINGS, type AnalyticsSettings } from '../analytics/settings.ts';

export interface HeraldOptions {
  config: Config;
  log: Logger;
  adapters: ReadonlyMap<PlatformName, PlatformAdapter>;
  roles: { api: boolean; worker: boolean };
  /** Worker: only these platforms (default: all enabled). */
  workerPlatforms?: PlatformName[];
  /** Extra listeners for delivery changes (sandbox narration, tests). */
  onDeliveryChange?: (d: Delivery) => void;
  /** Webhook timing (tests shorten the retry window and move the clock). */
  webhooks?: Partial<WebhookSettings>;
  /** Engagement collection timing (tests shorten it). */
  analytics?: Partial<AnalyticsSettings>;
}

export interface Herald {
  config: Config;
  store: Store;
  queues: PublishQueues;
  services: Services;
  runtime: PlatformRuntime;
  refresher: TokenRefresher;
  metrics: HeraldMetrics;
  api?: FastifyInstance;
  workers?: PublishWorkers;
  redisChild?: RedisChild;
  url?: string;
  /** Worker-only process with METRICS_PORT: where it serves /metrics. */
  metricsUrl?: string;
  sweepNow(): Promise<{ examined: number; enqueued: number }>;
  /** Hand the event outbox to the webhook queue now (worker role); returns entries handled. */
  relayNow(): Promise<number>;
  /** Hand due engagement collections to their queue now (worker role); returns how many. */
  collectNow(): Promise<number>;
  close(): Promise<void>;
}

/** The key that seals credentials: from config, or (sandbox only) generated once under DATA_DIR. */
function encryptionKeyFor(config: Config): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  if (config.mode === 'live') throw new Error('ENCRYPTION_KEY is required in live mode');
  const file = join(config.dataDir, 'sandbox-encryption.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  return key;
}

/** A platform Herald paused for refused app credentials resumes once the configured credentials changed. */
async function resumeFixedPlatforms(store: Store, queues: PublishQueues, runtime: PlatformRuntime, log: Logger) {
  for (const platform of queues.platforms()) {
    const held = await store.platformPauseReason(platform);
    if (!held || held.app === runtime.appFingerprint(platform)) continue;
    await queues.resume(platform);
    await store.clearPlatformPauseReason(platform);
    await store.audit.append({ actor: 'system', action: 'platform.resume', target: platform, reason: 'the app credentials changed since the pause' });
    log.info({ platform }, 'platform resumed: its app credentials changed since Herald paused it');
  }
}

export async function startHerald(o: HeraldOptions): Promise<Herald> {
  const { config, log } = o;
  config.dataDir = resolve(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true });

  if (config.mode === 'live' && config.allowPrivateUrls) {
    log.warn('HERALD_ALLOW_PRIVATE_URLS=true in live mode: media and webhook URLs may reach private, loopback and cloud metadata addresses over plain http. '
      + 'Use it only against local fakes; for private media storage set HERALD_ALLOWED_PRIVATE_ADDRESSES to its CIDRs instead.');
  }
  let redisChild: RedisChild | undefined;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    redisChild = await startRedisServer({ dataDir: join(config.dataDir, 'redis') });
    redisUrl = redisChild.url;
    log.info({ url: redisUrl, dir: join(config.dataDir, 'redis') }, 'started redis-server (AOF, noeviction)');
  }
  const redis = createRedis(redisUrl);
  try {
    await assertNoEviction(redis);
  } catch (err) {
    redis.disconnect();
    await redisChild?.stop();
    throw err;
  }

  const key = encryptionKeyFor(config);
  const store = new Store(redis, config.redisPrefix, key);
  const queueConn = createBullConnection(redisUrl);
  const platforms = [...o.adapters.keys()];
  const queues = new PublishQueues(queueConn, store.k.bullPrefix, platforms, config.scheduleLookaheadMs);
  const runtime = PlatformRuntime.fromConfig(config, o.adapters);
  // Configuration an operator must act on soon (LinkedIn: the API version's sunset is near).
  for (const [platform, adapter] of o.adapters) {
    for (const warning of adapter.configStatus?.(runtime.settings(platform), new Date()).warnings ?? []) log.warn({ platform }, warning);
  }

  let url: string | undefined;
  const publicUrl = () => (config.publicUrl ?? url ?? `http://${config.host}:${config.port}`).replace(/\/$/, '');
  const media = new MediaStore(redis, store.k, join(config.dataDir, 'media'), deriveKey(key, MEDIA_URL_KEY_PURPOSE), publicUrl, {
    quotaBytes: config.mediaQuotaBytes, minFreeBytes: config.mediaMinFreeBytes,
  });
  const metrics = new HeraldMetrics();
  metrics.watchQueues(() => queues.counts());
  metrics.watchDeliveryStatuses(() => store.deliveries.countsByStatus());
  const listeners: ((d: Delivery) => void)[] = [(d) => metrics.deliveryChanged(d), ...(o.onDeliveryChange ? [o.onDeliveryChange] : [])];
  const events: DeliveryEvents = {
    changed(d) {
      for (const l of listeners) {
        try {
          l(d);
        } catch (err) {
          log.error({ err }, 'delivery listener failed');
        }
      }
    },
  };
  const urlAccess = privateAccess(config);
  const posts = new PostService(store, queues, runtime, media, { allowPrivateUrls: urlAccess, log });
  const changes = new PostChanges(store, queues, posts, events);
  const oauth = new OAuthService(store, runtime, publicUrl, log);
  const analyticsSettings: AnalyticsSettings = { ...DEFAULT_ANALYTICS_SETTINGS, ...o.analytics };
  const services: Services = { config, store, queues, runtime, posts, changes, media, oauth, metrics, log, publicUrl, analytics: analyticsSettings };

  const onReauth = async (account: Account, reason: string) => {
    if (!(await store.accounts.markReauth(account.id, reason))) return;
    await store.audit.append({ actor: 'system', action: 'account.reauth_required', target: account.id, reason });
    log.warn({ accountId: account.id, platform: account.platform, reason }, 'account needs to be reconnected');
  };
  // Herald's app credentials refused or missing, or its API version sunset: an operator problem, never the creator's.
  // The platform pauses with the reason (GET /v1/admin/queues); accounts stay as they are.
  const onAppConfigError = async (platform: PlatformName, reason: string) => {
    const first = await store.setPlatformPauseReason(platform, reason, runtime.appFingerprint(platform));
    await queues.pause(platform);
    if (!first) return;
    await store.audit.append({ actor: 'system', action: 'platform.pause', target: platform, reason });
    log.error({ platform, reason }, 'platform paused: Herald\'s configuration for it is refused (app credentials, API version)');
  };
  const refresher = new TokenRefresher(store, runtime, log, { onReauth, onAppConfigError, onRefresh: (p, ok) => metrics.tokenRefresh(p, ok) });
  if (o.roles.worker) await resumeFixedPlatforms(store, queues, runtime, log);

  let api: FastifyInstance | undefined;
  if (o.roles.api) {
    api = await buildApi(services, log);
    await api.listen({ port: config.port, host: config.host });
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  }

  let workers: PublishWorkers | undefined;
  let sweeper: ReturnType<typeof startSweeper> | undefined;
  let promoter: ReturnType<typeof every<number>> | undefined;
  const webhookSettings: WebhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS, allowPrivateUrls: urlAccess, ...o.webhooks };
  let webhookQueue: Queue<WebhookJobData> | undefined;
  let relayLoop: ReturnType<typeof every<number>> | undefined;
  let webhookWorker: Worker<WebhookJobData> | undefined;
  let engagement: EngagementCollector | undefined;
  if (o.roles.worker) {
    workers = startPublishWorkers({
      deps: {
        store, runtime, refresher, log, events, onReauth, onAppConfigError, maxAttempts: config.maxAttempts,
        media: createMediaOpener({ store: media, dataDir: config.dataDir, allowPrivateUrls: urlAccess, maxBytes: config.mediaMaxBytes }),
      },
      redisUrl, prefix: store.k.bullPrefix, platforms: o.workerPlatforms ?? platforms, concurrency: config.workerConcurrency, lockMs: config.workerLockMs, log,
    });
    sweeper = startSweeper(store, queues, log, config.sweepIntervalMs);
    webhookQueue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: queueConn, prefix: store.k.bullPrefix });
    const relay = new WebhookRelay(store, webhookQueue, log, webhookSettings.now, async (e) => {
      const published = e.type === 'delivery.published' ? (e.data.delivery as { id: string; publishedAt: string | null }) : undefined;
      if (published) await store.engagement.schedule(publishedSchedule(analyticsSettings, published.id, Date.parse(published.publishedAt ?? e.at)));
    });
    relayLoop = every(() => relay.drain(), webhookSettings.relayIntervalMs, log, 'webhook relay');
    webhookWorker = startWebhookWorker({ store, settings: webhookSettings, redisUrl, prefix: store.k.bullPrefix, log, metrics });
    engagement = startEngagementCollector({ deps: { store, runtime, refresher, settings: analyticsSettings, log }, connection: queueConn, redisUrl, prefix: store.k.bullPrefix, log });
    promoter = every(() => promote(store, queues), 1_000, log, 'promote');
  }
  let metricsServer: MetricsServer | undefined;
  if (!api && config.metricsPort !== undefined) {
    metricsServer = await startMetricsServer({ metrics, token: config.metricsToken, host: config.host, port: config.metricsPort, log });
  }

  let closed = false;
  return {
    config, store, queues, services, runtime, refresher, metrics, ...(metricsServer ? { metricsUrl: metricsServer.url } : {}), ...(api ? { api } : {}), ...(workers ? { workers } : {}),
    ...(redisChild ? { redisChild } : {}), ...(url ? { url } : {}),
    sweepNow: () => (sweeper ? sweeper.runNow() : import('../queue/sweeper.ts').then((m) => m.sweep(store, queues, log))),
    relayNow: () => relayLoop?.runNow() ?? Promise.resolve(0),
    collectNow: () => engagement?.tickNow() ?? Promise.resolve(0),
    async close() {
      if (closed) return;
      closed = true;
      sweeper?.stop();
      promoter?.stop();
      relayLoop?.stop();
      // Let a drain in progress finish before its Redis connection goes.
      await relayLoop?.runNow().catch((err: unknown) => log.error({ err }, 'webhook relay failed at shutdown'));
      if (api) await api.close();
      await metricsServer?.close();
      if (workers) await workers.close(config.shutdownTimeoutMs);
      await webhookWorker?.close();
      await engagement?.close();
      await webhookQueue?.close();
      await queues.close();
      queueConn.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      await redisChild?.stop();
    },
  };
}
