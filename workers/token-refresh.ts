/**
 * Safe token refresh: one refresh at a time per account (Redis lock); others wait and
 * reuse the result; rotated refresh tokens are stored together with the new access token
 * in one write; a refresh that fails for good marks the account reauth_required.
 */
import type { Logger } from 'pino';
import { AdapterError, authFailed, transient } from '../src/platform/errors.ts';
import type { Credentials, PlatformAdapter } from '../src/platform/port.ts';
import type { Account } from '../src/store/accounts.ts';
import { randomToken } from '../src/store/crypto.ts';
import type { Store } from '../src/store/index.ts';
import type { PlatformRuntime } from '../src/platform/runtime.ts';

/** Refresh this long before the access token expires. */
export const PROACTIVE_REFRESH_MS = 5 * 60_000;
const LOCK_TTL_MS = 30_000;
const WAIT_STEP_MS = 100;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

function nearExpiry(c: Credentials, now: number): boolean {
  return c.expiresAt !== undefined && Date.parse(c.expiresAt) - now < PROACTIVE_REFRESH_MS;
}

export interface RefreshOutcome {
  credentials: Credentials;
  refreshed: boolean;
}

export class TokenRefresher {
  /** Refresh calls this process made to platforms (observable in tests and metrics). */
  refreshCalls = 0;

  constructor(
    private readonly store: Store,
    private readonly runtime: PlatformRuntime,
    private readonly log: Logger,
    private readonly onReauth: (account: Account, reason: string) => Promise<void>,
  ) {}

  /**
   * Credentials fit to use now. `failedAccessToken`: the token a platform just rejected with
   * 401 — refresh unless someone already replaced it. Without it, refresh only near expiry.
   */
  async ensureFresh(account: Account, adapter: PlatformAdapter, current: Credentials, failedAccessToken?: string): Promise<RefreshOutcome> {
    const forced = failedAccessToken !== undefined;
    if (!forced && !nearExpiry(current, Date.now())) return { credentials: current, refreshed: false };
    if (!adapter.refresh) {
      if (!forced) return { credentials: current, refreshed: false };
      const reason = `${adapter.manifest.displayName} rejected the access token and offers no refresh; reconnect the account`;
      await this.onReauth(account, reason);
      throw authFailed({ code: 'auth_expired', message: reason, refreshable: false });
    }
    const lockKey = this.store.k.lock(`refresh:${account.id}`);
    const token = randomToken(12);
    const deadline = Date.now() + LOCK_TTL_MS + 5_000;
    const staleToken = failedAccessToken ?? current.accessToken;
    while (Date.now() < deadline) {
      const got = await this.store.redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX');
      if (got) {
        try {
          return await this.refreshLocked(account, adapter, staleToken, forced);
        } finally {
          await this.store.redis.eval(RELEASE, 1, lockKey, token);
        }
      }
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
      const latest = await this.store.accounts.credentials(account.id);
      if (latest && latest.accessToken !== staleToken) return { credentials: latest, refreshed: false };
    }
    throw transient({ code: 'refresh_lock_timeout', message: `timed out waiting for another token refresh of account ${account.id}` });
  }

  private async refreshLocked(account: Account, adapter: PlatformAdapter, staleToken: string, forced: boolean): Promise<RefreshOutcome> {
    const latest = await this.store.accounts.credentials(account.id);
    if (!latest) throw authFailed({ code: 'auth_expired', message: 'the account has no stored credentials', refreshable: false });
    // Someone refreshed while we waited for the lock: use their result.
    if (latest.accessToken !== staleToken) return { credentials: latest, refreshed: false };
    if (!forced && !nearExpiry(latest, Date.now())) return { credentials: latest, refreshed: false };
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), LOCK_TTL_MS - 5_000);
    try {
      this.refreshCalls++;
      const fresh = await adapter.refresh!(latest, this.runtime.refreshContext(adapter.manifest.platform, ctrl.signal, this.log));
      await this.store.accounts.saveCredentials(account.id, fresh);
      this.log.info({ accountId: account.id, platform: account.platform }, 'access token refreshed');
      return { credentials: fresh, refreshed: true };
    } catch (err) {
      if (AdapterError.is(err) && err.kind === 'auth') {
        await this.onReauth(account, err.message);
        throw authFailed({ code: 'auth_expired', message: `token refresh failed: ${err.message}`, refreshable: false, cause: err });
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
