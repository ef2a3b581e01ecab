/**
 * What the platform adapters get from Herald's config: a transport bound to the
 * platform's base-URL override (or the account's own origin), OAuth app credentials and
 * platform knobs.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Config, PlatformConfig } from '../config/env.ts';
import { guardedLookup } from '../media/fetch.ts';
import { checkUrlSyntax } from '../media/url-policy.ts';
import { rejected } from './errors.ts';
import { createPlatformHttp, rewriteUrl, type Agents, type PlatformHttp } from './http.ts';
import type { PlatformAdapter, PlatformName, PlatformSettings, RefreshContext } from './port.ts';

/** Where an account lives and which app it uses, on per-account-origin platforms. */
export interface AccountPlatform {
  /** The account's API origin. */
  origin?: string;
  /** The OAuth app Herald registered on that origin. */
  app?: { clientId: string; clientSecret?: string };
}

export class PlatformRuntime {
  /** Agents whose DNS lookup refuses private addresses: every call to a per-account origin uses them. */
  private readonly guarded: Agents;

  constructor(
    private readonly platforms: Record<PlatformName, PlatformConfig>,
    readonly adapters: ReadonlyMap<PlatformName, PlatformAdapter>,
    private readonly timeoutMs = 30_000,
    private readonly allowPrivate = false,
  ) {
    const lookup = guardedLookup(allowPrivate);
    this.guarded = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000, lookup }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000, lookup }),
    };
  }

  static fromConfig(config: Config, adapters: ReadonlyMap<PlatformName, PlatformAdapter>) {
    return new PlatformRuntime(config.platforms, adapters, config.platformTimeoutMs, config.allowPrivateUrls);
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
    // Platform settings (LinkedIn's API version) count too: a pause for a refused one lifts once it changed.
    return createHash('sha256').update(`${c.clientId ?? ''}\0${c.clientSecret ?? ''}\0${JSON.stringify(c.extra ?? {})}`).digest('hex').slice(0, 16);
  }

  /**
   * The API origin of an account on a per-account-origin platform (undefined elsewhere): its
   * setting, normalised. The effective origin — PLATFORM_<NAME>_URL when set, else this one —
   * must pass the URL policy (https, no credentials, no private or local address); the
   * address itself is checked again inside every connection's DNS lookup.
   */
  originOf(platform: PlatformName, settings: Record<string, unknown>): string | undefined {
    const declared = this.adapters.get(platform)?.manifest.origin;
    if (!declared) return undefined;
    const raw = settings[declared.setting];
    const name = this.adapters.get(platform)!.manifest.displayName;
    if (typeof raw !== 'string' || raw === '') {
      throw rejected({ code: 'origin_missing', message: `this ${name} account has no ${declared.setting} setting (the origin of its instance, e.g. https://mastodon.social)` });
    }
    const effective = this.platforms[platform].baseUrl ?? raw;
    const problem = checkUrlSyntax(effective, this.allowPrivate);
    if (problem) throw rejected({ code: 'origin_not_allowed', message: `the ${name} origin ${effective} ${problem}` });
    return new URL(raw).origin;
  }

  rewrite(platform: PlatformName, url: string): string {
    return rewriteUrl(url, this.platforms[platform].baseUrl);
  }

  /**
   * The transport for a platform. `origin`: the account's own origin (per-account-origin
   * platforms): its calls go through agents that apply the SSRF checks at connect time.
   */
  http(platform: PlatformName, signal?: AbortSignal, timeoutMs?: number, origin?: string): PlatformHttp {
    const override = this.platforms[platform].baseUrl;
    return createPlatformHttp({
      platform,
      ...(override ? { baseUrlOverride: override } : {}),
      ...(signal ? { signal } : {}),
      ...(origin ? { agents: this.guarded } : {}),
      timeoutMs: timeoutMs ?? this.timeoutMs,
    });
  }

  refreshContext(
    platform: PlatformName, signal: AbortSignal, log: Logger,
    account?: AccountPlatform,
  ): RefreshContext {
    return {
      http: this.http(platform, signal, undefined, account?.origin), settings: this.settings(platform), signal, log,
      ...(account?.origin ? { origin: account.origin } : {}), ...(account?.app ? { app: account.app } : {}),
    };
  }
}
