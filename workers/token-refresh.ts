/**
 * Safe token refresh: one refresh at a time per account (Redis lock); others wait and
 * reuse the result; rotated refresh tokens are stored together with the new access token
 * in one conditional write (nothing is written for an account deleted or reconnected
 * meanwhile); when to refresh is the adapter's `refreshPolicy` (manifest data).
 * What a failure means comes from the OAuth 2 kit (src/platform/oauth2-errors.ts):
 *   - the creator's grant is dead → the account becomes reauth_required;
 *   - Herald's app credentials are missing or refused → the platform pauses with the reason
 *     (`onAppConfigError`); no account is touched;
 *   - the answer to a single-use refresh was lost → the risk is recorded on the account;
 *     where the platform keeps the old refresh token valid for a grace period, the refresh is
 *     sent again at once.
 */
import type { Logger } from 'pino';
import { AdapterError, authFailed, rejected, transient } from '../src/platform/errors.ts';
import { AppConfigError, RefreshAnswerLostError } from '../src/platform/oauth2.ts';
import type { Credentials, PlatformAdapter, RefreshPolicy } from '../src/platform/port.ts';
import type { Account } from '../src/store/accounts.ts';
import { randomToken } from '../src/store/crypto.ts';
import type { Store } from '../src/store/index.ts';
import type { PlatformRuntime } from '../src/platform/runtime.ts';
import { accountPlatform } from './platform-context.ts';

/** Refresh this long before the access token expires, unless the manifest says otherwise. */
export const PROACTIVE_REFRESH_MS = 5 * 60_000;
const LOCK_TTL_MS = 30_000;
const WAIT_STEP_MS = 100;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Is a refresh due now under `policy`? (A 401 forces one regardless.) */
export function refreshDue(policy: RefreshPolicy | undefined, c: Credentials, now: number): boolean {
  const issued = c.issuedAt ? Date.parse(c.issuedAt) : Number.NaN;
  if (policy?.minAgeMs !== undefined && !Number.isNaN(issued)) return now - issued >= policy.minAgeMs;
  return c.expiresAt !== undefined && Date.parse(c.expiresAt) - now < (policy?.beforeExpiryMs ?? PROACTIVE_REFRESH_MS);
}

export interface RefreshOutcome {
  credentials: Credentials;
  refreshed: boolean;
}

export interface RefresherHooks {
  /** Marks the account reauth_required (and tells whoever listens). */
  onReauth(account: Account, reason: string): Promise<void>;
  /** Herald's app credentials for the platform are missing or refused: pause it with this reason. */
  onAppConfigError(platform: Account['platform'], reason: string): Promise<void>;
  /** A refresh finished, stored (ok) or not (metrics). */
  onRefresh?(platform: Account['platform'], ok: boolean): void;
}

export class TokenRefresher {
  /** Refresh calls this process made to platforms (observable in tests and metrics). */
  refreshCalls = 0;

  constructor(
    private readonly store: Store,
    private readonly runtime: PlatformRuntime,
    private readonly log: Logger,
    private readonly hooks: RefresherHooks,
  ) {}

  /**
   * Credentials fit to use now. `failedAccessToken`: the token a platform just rejected with
   * 401 — refresh unless someone already replaced it. Without it, refresh only when due.
   */
  async ensureFresh(account: Account, adapter: PlatformAdapter, current: Credentials, failedAccessToken?: string): Promise<RefreshOutcome> {
    const forced = failedAccessToken !== undefined;
    if (!forced && !refreshDue(adapter.manifest.refreshPolicy, current, Date.now())) return { credentials: current, refreshed: false };
    if (!adapter.refresh) {
      if (!forced) return { credentials: current, refreshed: false };
      const reason = `${adapter.manifest.displayName} rejected the access token and offers no refresh; reconnect the account`;
      await this.hooks.onReauth(account, reason);
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
    const version = await this.store.accounts.credentialsVersion(account.id);
    if (!version) throw authFailed({ code: 'auth_expired', message: 'the account has no stored credentials', refreshable: false });
    const latest = version.credentials;
    // Someone refreshed while we waited for the lock: use their result.
    if (latest.accessToken !== staleToken) return { credentials: latest, refreshed: false };
    if (!forced && !refreshDue(adapter.manifest.refreshPolicy, latest, Date.now())) return { credentials: latest, refreshed: false };
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), LOCK_TTL_MS - 5_000);
    const platform = adapter.manifest.platform;
    try {
      const fresh = await this.callRefresh(adapter, account, latest, ctrl.signal);
      const saved = await this.store.accounts.replaceCredentials(account.id, version.sealed, fresh);
      if (saved === 'deleted') {
        throw rejected({ code: 'account_deleted', message: 'the account was disconnected while its token was being refreshed; nothing was stored' });
      }
      if (saved === 'changed') {
        // Reconnected meanwhile: the new connection's credentials win.
        const now = await this.store.accounts.credentials(account.id);
        if (!now) throw rejected({ code: 'account_deleted', message: 'the account was disconnected while its token was being refreshed' });
        return { credentials: now, refreshed: false };
      }
      this.log.info({ accountId: account.id, platform }, 'access token refreshed');
      this.hooks.onRefresh?.(platform, true);
      return { credentials: fresh, refreshed: true };
    } catch (err) {
      this.hooks.onRefresh?.(platform, false);
      if (AppConfigError.isAppConfig(err)) {
        await this.hooks.onAppConfigError(platform, err.message);
        throw err;
      }
      if (RefreshAnswerLostError.isAnswerLost(err)) {
        await this.store.accounts.noteRefreshRisk(account.id, `${new Date().toISOString()}: ${err.message}`);
        await this.store.audit.append({ actor: 'system', action: 'account.refresh_answer_lost', target: account.id, reason: err.message });
        this.log.warn({ accountId: account.id, platform }, 'a single-use refresh token may have been spent without Herald receiving its successor');
        throw err;
      }
      if (AdapterError.is(err) && err.kind === 'auth') {
        const risk = (await this.store.accounts.get(account.id))?.refreshRisk;
        const reason = risk ? `${err.message} (an earlier refresh's answer was lost: ${risk})` : err.message;
        await this.hooks.onReauth(account, reason);
        throw authFailed({ code: 'auth_expired', message: `token refresh failed: ${reason}`, refreshable: false, cause: err });
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One refresh; sent once more at once when its answer was lost and the old refresh token is still in its grace period. */
  private async callRefresh(adapter: PlatformAdapter, account: Account, latest: Credentials, signal: AbortSignal): Promise<Credentials> {
    const platform = adapter.manifest.platform;
    // Per-instance platforms refresh on the account's origin with the app registered there.
    const where = await accountPlatform(this.store, this.runtime, account);
    const ctx = () => this.runtime.refreshContext(platform, signal, this.log, where);
    this.refreshCalls++;
    try {
      return await adapter.refresh!(latest, ctx());
    } catch (err) {
      if (!RefreshAnswerLostError.isAnswerLost(err) || !err.graceMs) throw err;
      this.log.warn({ platform, err: err.message }, 'refresh answer lost; sending it again within the platform\'s rotation grace period');
      this.refreshCalls++;
      return await adapter.refresh!(latest, ctx());
    }
  }
}
