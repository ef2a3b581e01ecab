/**
 * What the platform adapters get from Herald's config: a transport bound to the
 * platform's base-URL override, OAuth app credentials and platform knobs.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config, PlatformConfig } from '../config/env.ts';
import { createPlatformHttp, rewriteUrl, type PlatformHttp } from './http.ts';
import type { PlatformAdapter, PlatformName, PlatformSettings, RefreshContext } from './port.ts';

export class PlatformRuntime {
  constructor(
    private readonly platforms: Record<PlatformName, PlatformConfig>,
    readonly adapters: ReadonlyMap<PlatformName, PlatformAdapter>,
    private readonly timeoutMs = 30_000,
  ) {}

  static fromConfig(config: Config, adapters: ReadonlyMap<PlatformName, PlatformAdapter>) {
    return new PlatformRuntime(config.platforms, adapters, config.platformTimeoutMs);
  }

  adapter(platform: PlatformName): PlatformAdapter | undefined {
    return this.adapters.get(platform);
  }

  settings(platform: PlatformName): PlatformSettings {
    const c = this.platforms[platform];
    return { clientId: c.clientId, clientSecret: c.clientSecret, extra: { ...c.extra } };
  }

  /** Identifies the configured app credentials without revealing them (a pause for bad credentials ends when they change). */
  appFingerprint(platform: PlatformName): string {
    const c = this.platforms[platform];
    return createHash('sha256').update(`${c.clientId ?? ''}\0${c.clientSecret ?? ''}`).digest('hex').slice(0, 16);
  }

  rewrite(platform: PlatformName, url: string): string {
    return rewriteUrl(url, this.platforms[platform].baseUrl);
  }

  http(platform: PlatformName, signal?: AbortSignal, timeoutMs?: number): PlatformHttp {
    return createPlatformHttp({
      platform,
      ...(this.platforms[platform].baseUrl ? { baseUrlOverride: this.platforms[platform].baseUrl } : {}),
      ...(signal ? { signal } : {}),
      timeoutMs: timeoutMs ?? this.timeoutMs,
    });
  }

  refreshContext(platform: PlatformName, signal: AbortSignal, log: Logger): RefreshContext {
    return { http: this.http(platform, signal), settings: this.settings(platform), signal, log };
  }
}
