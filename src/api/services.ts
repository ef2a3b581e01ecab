import type { Logger } from 'pino';
import type { AnalyticsSettings } from '../analytics/settings.ts';
import type { Config } from '../config/env.ts';
import type { PostChanges } from '../domain/post-changes.ts';
import type { PostService } from '../domain/posts-service.ts';
import type { MediaStore } from '../media/store.ts';
import type { HeraldMetrics } from '../metrics/metrics.ts';
import type { OAuthService } from '../oauth/service.ts';
import type { PlatformRuntime } from '../platform/runtime.ts';
import type { PublishQueues } from '../queue/queues.ts';
import type { Store } from '../store/index.ts';

/** Everything route handlers use, passed in (no global decorators). */
export interface Services {
  config: Config;
  store: Store;
  queues: PublishQueues;
  runtime: PlatformRuntime;
  posts: PostService;
  changes: PostChanges;
  media: MediaStore;
  oauth: OAuthService;
  metrics: HeraldMetrics;
  log: Logger;
  publicUrl(): string;
  /** Engagement collection timing (the refresh route's per-account interval). */
  analytics: AnalyticsSettings;
}
