/**
 * What Herald owns on behalf of every account of a platform, shared by all processes:
 *   - OAuth apps registered per instance (Mastodon: POST /api/v1/apps on each instance): one
 *     per platform + origin, registered once under a lock and reused; the secret is sealed.
 *   - app-level tokens (WeChat stable_token, Douyin client_token): one per app id, fetched
 *     under a lock by one worker and read by all; re-fetched once when the platform rejects
 *     the token every worker holds.
 * Adapters never touch Redis: they reach these through their context.
 */
import type { Redis } from 'ioredis';
import { transient } from '../platform/errors.ts';
import { decrypt, encrypt, randomToken } from './crypto.ts';
import type { Keys } from './keys.ts';

export interface OAuthAppRegistration {
  clientId: string;
  clientSecret?: string;
  createdAt: string;
}

export interface AppToken {
  token: string;
  /** ISO 8601 */
  expiresAt: string;
}

const LOCK_TTL_MS = 30_000;
const WAIT_STEP_MS = 100;
/** An app token this close to expiry is fetched again before use. */
const APP_TOKEN_MARGIN_MS = 5 * 60_000;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class PlatformAppStore {
  constructor(private readonly redis: Redis, private readonly k: Keys, private readonly key: Buffer) {}

  private appKey(platform: string, origin: string) {
    return this.k.oauthApp(platform, new URL(origin).origin);
  }

  async registration(platform: string, origin: string): Promise<OAuthAppRegistration | undefined> {
    const h = await this.redis.hgetall(this.appKey(platform, origin));
    if (!h.clientId) return undefined;
    return { clientId: h.clientId, ...(h.secret ? { clientSecret: decrypt(this.key, h.secret, `herald:oauth-app:${platform}:${origin}`) } : {}), createdAt: h.createdAt ?? '' };
  }

  /** The registration for platform + origin, registering it (once, whoever asks first) when there is none. */
  async registerOnce(platform: string, origin: string, register: () => Promise<{ clientId: string; clientSecret?: string }>): Promise<OAuthAppRegistration> {
    const existing = await this.registration(platform, origin);
    if (existing) return existing;
    return this.locked(`oauth-app:${platform}:${new URL(origin).origin}`, async () => {
      const again = await this.registration(platform, origin);
      if (again) return again;
      const app = await register();
      const createdAt = new Date().toISOString();
      await this.redis.hset(this.appKey(platform, origin), {
        clientId: app.clientId, createdAt, ...(app.clientSecret ? { secret: encrypt(this.key, app.clientSecret, `herald:oauth-app:${platform}:${origin}`) } : {}),
      });
      return { ...app, createdAt };
    }, () => this.registration(platform, origin));
  }

  private async storedToken(platform: string, appId: string): Promise<AppToken | undefined> {
    const sealed = await this.redis.get(this.k.appToken(platform, appId));
    return sealed ? (JSON.parse(decrypt(this.key, sealed, `herald:app-token:${platform}:${appId}`)) as AppToken) : undefined;
  }

  /**
   * The app's token, fetched by one caller at a time. `invalid`: the token the platform just
   * rejected — fetched again unless another worker already replaced it.
   */
  async appToken(platform: string, appId: string, fetch: (force: boolean) => Promise<AppToken>, invalid?: string): Promise<AppToken> {
    const usable = (t: AppToken | undefined): boolean =>
      t !== undefined && t.token !== invalid && Date.parse(t.expiresAt) - Date.now() > APP_TOKEN_MARGIN_MS;
    const cached = await this.storedToken(platform, appId);
    if (cached && usable(cached)) return cached;
    return this.locked(`app-token:${platform}:${appId}`, async () => {
      const again = await this.storedToken(platform, appId);
      if (again && usable(again)) return again;
      const fresh = await fetch(invalid !== undefined && again?.token === invalid);
      const ttl = Math.max(1_000, Date.parse(fresh.expiresAt) - Date.now());
      await this.redis.set(this.k.appToken(platform, appId), encrypt(this.key, JSON.stringify(fresh), `herald:app-token:${platform}:${appId}`), 'PX', ttl);
      return fresh;
    }, async () => {
      const t = await this.storedToken(platform, appId);
      return t && usable(t) ? t : undefined;
    });
  }

  /** Run `work` under a Redis lock; while another holder works, wait for `ready` to give its result. */
  private async locked<T>(name: string, work: () => Promise<T>, ready: () => Promise<T | undefined>): Promise<T> {
    const lockKey = this.k.lock(name);
    const token = randomToken(12);
    const deadline = Date.now() + LOCK_TTL_MS + 5_000;
    while (Date.now() < deadline) {
      if (await this.redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX')) {
        try {
          return await work();
        } finally {
          await this.redis.eval(RELEASE, 1, lockKey, token);
        }
      }
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
      const theirs = await ready();
      if (theirs !== undefined) return theirs;
    }
    throw transient({ code: 'lock_timeout', message: `timed out waiting for another worker holding ${name}` });
  }
}
