/** When engagement is collected. Defaults follow issue 14; tests shorten them. */
export interface AnalyticsSettings {
  /** Collections after publishing, by label: about 1 h, 24 h and 7 days. */
  schedule: { label: string; afterMs: number }[];
  /** How often due collections are handed to the collector queue. */
  tickMs: number;
  /** One on-demand refresh per account per this long (POST /v1/posts/:id/metrics/refresh). */
  refreshIntervalMs: number;
  /** A failed read (platform down, rate limited) is tried again after this long, at most this many times. */
  retryAfterMs: number;
  maxRetries: number;
}

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = {
  schedule: [{ label: '1h', afterMs: 3600_000 }, { label: '24h', afterMs: 24 * 3600_000 }, { label: '7d', afterMs: 7 * 24 * 3600_000 }],
  tickMs: 1_000,
  refreshIntervalMs: 5 * 60_000,
  retryAfterMs: 10 * 60_000,
  maxRetries: 3,
};
