/**
 * What the worker adds to an adapter's context for accounts and apps Herald owns: the
 * account's origin and its instance's OAuth app (per-account-origin platforms), and the
 * app-level token (one per app id, stored and locked in Redis by src/store/oauth-apps.ts).
 */
import type { Logger } from 'pino';
import { appCredentialsMissing } from '../src/platform/oauth2-errors.ts';
import type { PlatformAdapter, RefreshContext } from '../src/platform/port.ts';
import type { AccountPlatform, PlatformRuntime } from '../src/platform/runtime.ts';
import type { Account } from '../src/store/accounts.ts';
import type { Store } from '../src/store/index.ts';

/** The origin and instance app of an account; throws `rejected` when the origin is missing or not allowed. */
export async function accountPlatform(store: Store, runtime: PlatformRuntime, account: Pick<Account, 'platform' | 'settings'>): Promise<AccountPlatform> {
  const origin = runtime.originOf(account.platform, account.settings);
  if (!origin) return {};
  const reg = await store.apps.registration(account.platform, origin);
  return { origin, ...(reg ? { app: { clientId: reg.clientId, ...(reg.clientSecret ? { clientSecret: reg.clientSecret } : {}) } } : {}) };
}

/** `ctx.appToken` for one run, or undefined when the adapter has no app-level token. */
export function appTokenAccess(
  deps: { store: Store; runtime: PlatformRuntime; log: Logger }, adapter: PlatformAdapter, where: AccountPlatform, signal: AbortSignal,
): ((o?: { invalid?: string }) => Promise<string>) | undefined {
  const source = adapter.appToken;
  if (!source) return undefined;
  const platform = adapter.manifest.platform;
  return async (o) => {
    const ctx: RefreshContext = deps.runtime.refreshContext(platform, signal, deps.log, where);
    const appId = ctx.app?.clientId ?? ctx.settings.clientId;
    if (!appId) {
      throw appCredentialsMissing(platform, adapter.manifest.displayName, 'a client id');
    }
    const t = await deps.store.apps.appToken(platform, appId, (force) => source.fetch(ctx, { force }), o?.invalid);
    return t.token;
  };
}
