/**
 * OAuth connect: `start` creates a single-use state (bound to the creator, 10 minutes; PKCE
 * S256 where the platform uses it) and returns Herald's own link to open in a browser;
 * `open` (that link) binds the state to the browser with a cookie and redirects to the
 * platform's authorize page, once; `callback` accepts the state only from the browser that
 * holds the cookie, exchanges the code, fetches the identity and stores the account.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../api/errors.ts';
import { AdapterError } from '../platform/errors.ts';
import type { PlatformName } from '../platform/port.ts';
import type { AccountPlatform, PlatformRuntime } from '../platform/runtime.ts';
import type { Account } from '../store/accounts.ts';
import { newId } from '../store/ids.ts';
import type { Store } from '../store/index.ts';

export const STATE_TTL_S = 600;

/** Bind once: only if the record is still the unbound one that was read (keeps its TTL). */
const BIND_BROWSER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

interface PendingState {
  creatorId: string;
  platform: PlatformName;
  verifier?: string;
  redirectUri: string;
  /** The platform's authorize page. */
  authorizeUrl: string;
  /** sha256 of the cookie of the browser that opened the link (set once, by `open`). */
  browser?: string;
  /** The instance connected (per-account-origin platforms). */
  origin?: string;
}

const hash = (v: string) => createHash('sha256').update(v).digest('base64url');

/** One cookie per connect flow, so two connects in one browser do not clobber each other. */
export function connectCookieName(state: string): string {
  return `herald_connect_${hash(state).slice(0, 16)}`;
}

export class OAuthService {
  constructor(
    private readonly store: Store,
    private readonly runtime: PlatformRuntime,
    private readonly publicUrl: () => string,
    private readonly log: Logger,
  ) {}

  redirectUri(platform: PlatformName): string {
    return `${this.publicUrl()}/v1/connect/${platform}/callback`;
  }

  private flow(platform: PlatformName) {
    const adapter = this.runtime.adapter(platform);
    if (!adapter?.oauth) throw new ApiError('platform_not_available', `${platform} has no OAuth connect on this Herald`);
    const settings = this.runtime.settings(platform);
    // Per-instance platforms register Herald's app on each instance instead.
    if (!settings.clientId && !adapter.manifest.origin) {
      throw new ApiError('platform_not_available', `set ${platform.toUpperCase()}_CLIENT_ID and ${platform.toUpperCase()}_CLIENT_SECRET to connect ${adapter.manifest.displayName} accounts`);
    }
    return { adapter, oauth: adapter.oauth, settings };
  }

  /**
   * Per-account-origin platforms: the instance's origin (URL-policy checked) and the OAuth app
   * Herald registered there, registering it on first use (one per platform + origin, reused).
   */
  private async instanceApp(platform: PlatformName, origin: string | undefined, signal: AbortSignal): Promise<AccountPlatform> {
    const { adapter, oauth } = this.flow(platform);
    const declared = adapter.manifest.origin;
    if (!declared) return {};
    if (!origin) throw new ApiError('invalid_request', `${adapter.manifest.displayName} accounts live on instances: add ?origin=https://<instance>`);
    if (!oauth.register) throw new ApiError('platform_not_available', `${adapter.manifest.displayName} has no app registration`);
    try {
      const checked = this.runtime.originOf(platform, { [declared.setting]: origin })!;
      const ctx = this.runtime.refreshContext(platform, signal, this.log, { origin: checked });
      const reg = await this.store.apps.registerOnce(platform, checked, () => oauth.register!(checked, this.redirectUri(platform), ctx));
      return { origin: checked, app: { clientId: reg.clientId, ...(reg.clientSecret ? { clientSecret: reg.clientSecret } : {}) } };
    } catch (err) {
      if (AdapterError.is(err)) throw new ApiError('invalid_request', `connecting ${adapter.manifest.displayName} on ${origin} failed: ${err.message}`);
      throw err;
    }
  }

  async start(creatorId: string, platform: PlatformName, origin?: string): Promise<{ authUrl: string; state: string; expiresAt: string }> {
    const { oauth, settings } = this.flow(platform);
    const where = await this.instanceApp(platform, origin, AbortSignal.timeout(30_000));
    const state = randomBytes(24).toString('base64url');
    const redirectUri = this.redirectUri(platform);
    let verifier: string | undefined;
    let codeChallenge: string | undefined;
    if (oauth.pkce) {
      verifier = randomBytes(48).toString('base64url');
      codeChallenge = hash(verifier);
    }
    const authorizeUrl = oauth.authorizeUrl(
      { clientId: where.app?.clientId ?? settings.clientId!, redirectUri, state, ...(codeChallenge ? { codeChallenge } : {}), ...(where.origin ? { origin: where.origin } : {}) },
      (url) => this.runtime.rewrite(platform, url),
    );
    const pending: PendingState = { creatorId, platform, redirectUri, authorizeUrl, ...(verifier ? { verifier } : {}), ...(where.origin ? { origin: where.origin } : {}) };
    await this.store.redis.set(this.store.k.oauthState(state), JSON.stringify(pending), 'EX', STATE_TTL_S);
    const authUrl = `${this.publicUrl()}/v1/connect/${platform}/authorize?state=${encodeURIComponent(state)}`;
    return { authUrl, state, expiresAt: new Date(Date.now() + STATE_TTL_S * 1000).toISOString() };
  }

  /**
   * The browser opens Herald's link: bind the state to this browser (the returned cookie
   * value) and send it on to the platform. Only the first browser to open the link gets it.
   */
  async open(platform: PlatformName, state: string | undefined): Promise<{ cookie: { name: string; value: string }; location: string }> {
    if (!state) throw new ApiError('invalid_request', 'the link has no state');
    const key = this.store.k.oauthState(state);
    const raw = (await this.store.redis.get(key)) as string | null;
    if (!raw) throw new ApiError('invalid_request', `this connect link expired or was already used; start again from GET /v1/connect/${platform}`);
    const pending = JSON.parse(raw) as PendingState;
    if (pending.platform !== platform) throw new ApiError('invalid_request', 'the state belongs to another platform');
    const value = randomBytes(24).toString('base64url');
    const bound = pending.browser ? 0 : await this.store.redis.eval(BIND_BROWSER, 1, key, raw, JSON.stringify({ ...pending, browser: hash(value) }));
    if (bound !== 1) {
      throw new ApiError('invalid_request', `this connect link was already opened in a browser; finish there, or start again from GET /v1/connect/${platform}`);
    }
    return { cookie: { name: connectCookieName(state), value }, location: pending.authorizeUrl };
  }

  async callback(
    platform: PlatformName,
    q: { code?: string; state?: string; error?: string; error_description?: string },
    browserCookie: string | undefined,
  ): Promise<{ account: Account; created: boolean }> {
    if (!q.state) throw new ApiError('invalid_request', 'the callback has no state');
    const key = this.store.k.oauthState(q.state);
    const seen = (await this.store.redis.get(key)) as string | null;
    if (!seen) throw new ApiError('invalid_request', 'this connect link expired or was already used; start again from GET /v1/connect/' + platform);
    const bound = (JSON.parse(seen) as PendingState).browser;
    // The callback must come from the browser that opened Herald's link (its cookie), so a
    // leaked authorize URL or a forwarded callback cannot attach an account to this creator.
    if (!bound || !browserCookie || hash(browserCookie) !== bound) {
      throw new ApiError('invalid_request', `finish connecting in the browser that opened the link from GET /v1/connect/${platform} (its connect cookie is missing here)`);
    }
    // Single use: the state is deleted as it is read.
    const raw = (await this.store.redis.getdel(key)) as string | null;
    if (!raw) throw new ApiError('invalid_request', 'this connect link expired or was already used; start again from GET /v1/connect/' + platform);
    const pending = JSON.parse(raw) as PendingState;
    if (pending.platform !== platform) throw new ApiError('invalid_request', 'the state belongs to another platform');
    if (q.error) throw new ApiError('invalid_request', `the platform refused the connection: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}`);
    if (!q.code) throw new ApiError('invalid_request', 'the callback has no code');
    const { adapter, oauth } = this.flow(platform);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 30_000);
    try {
      const where = pending.origin ? await this.instanceApp(platform, pending.origin, ctrl.signal) : {};
      const identity = await oauth.exchange(
        { code: q.code, redirectUri: pending.redirectUri, ...(pending.verifier ? { codeVerifier: pending.verifier } : {}) },
        this.runtime.refreshContext(platform, ctrl.signal, this.log, where),
      );
      const declared = adapter.manifest.origin;
      const settings = adapter.manifest.accountSettings.safeParse({ ...identity.settings, ...(declared && where.origin ? { [declared.setting]: where.origin } : {}) });
      const result = await this.store.accounts.upsert({
        creatorId: pending.creatorId, platform, externalId: identity.externalId,
        ...(identity.handle ? { handle: identity.handle } : {}),
        settings: (settings.success ? settings.data : {}) as Record<string, unknown>,
        credentials: identity.credentials,
      }, () => newId('acc'));
      await this.store.audit.append({ actor: pending.creatorId, action: result.created ? 'account.connect' : 'account.reconnect', target: result.account.id, details: { platform, via: 'oauth' } });
      return result;
    } catch (err) {
      if (AdapterError.is(err)) throw new ApiError('invalid_request', `connecting ${adapter.manifest.displayName} failed: ${err.message}`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
