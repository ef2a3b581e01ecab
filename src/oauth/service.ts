/**
 * OAuth connect: `start` returns the platform's authorize URL with a single-use state
 * (bound to the creator, 10 minutes) and PKCE S256 where the platform supports it;
 * `callback` exchanges the code, fetches the identity and stores the account.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../api/errors.ts';
import { AdapterError } from '../platform/errors.ts';
import type { PlatformName } from '../platform/port.ts';
import type { PlatformRuntime } from '../platform/runtime.ts';
import type { Account } from '../store/accounts.ts';
import { newId } from '../store/ids.ts';
import type { Store } from '../store/index.ts';

export const STATE_TTL_S = 600;

interface PendingState {
  creatorId: string;
  platform: PlatformName;
  verifier?: string;
  redirectUri: string;
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
    if (!settings.clientId) {
      throw new ApiError('platform_not_available', `set ${platform.toUpperCase()}_CLIENT_ID and ${platform.toUpperCase()}_CLIENT_SECRET to connect ${adapter.manifest.displayName} accounts`);
    }
    return { adapter, oauth: adapter.oauth, settings };
  }

  async start(creatorId: string, platform: PlatformName): Promise<{ authUrl: string; state: string; expiresAt: string }> {
    const { oauth, settings } = this.flow(platform);
    const state = randomBytes(24).toString('base64url');
    const redirectUri = this.redirectUri(platform);
    const pending: PendingState = { creatorId, platform, redirectUri };
    let codeChallenge: string | undefined;
    if (oauth.pkce) {
      pending.verifier = randomBytes(48).toString('base64url');
      codeChallenge = createHash('sha256').update(pending.verifier).digest('base64url');
    }
    await this.store.redis.set(this.store.k.oauthState(state), JSON.stringify(pending), 'EX', STATE_TTL_S);
    const authUrl = oauth.authorizeUrl(
      { clientId: settings.clientId!, redirectUri, state, ...(codeChallenge ? { codeChallenge } : {}) },
      (url) => this.runtime.rewrite(platform, url),
    );
    return { authUrl, state, expiresAt: new Date(Date.now() + STATE_TTL_S * 1000).toISOString() };
  }

  async callback(platform: PlatformName, q: { code?: string; state?: string; error?: string; error_description?: string }): Promise<{ account: Account; created: boolean }> {
    if (!q.state) throw new ApiError('invalid_request', 'the callback has no state');
    // Single use: the state is deleted as it is read.
    const raw = (await this.store.redis.getdel(this.store.k.oauthState(q.state))) as string | null;
    if (!raw) throw new ApiError('invalid_request', 'this connect link expired or was already used; start again from GET /v1/connect/' + platform);
    const pending = JSON.parse(raw) as PendingState;
    if (pending.platform !== platform) throw new ApiError('invalid_request', 'the state belongs to another platform');
    if (q.error) throw new ApiError('invalid_request', `the platform refused the connection: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}`);
    if (!q.code) throw new ApiError('invalid_request', 'the callback has no code');
    const { adapter, oauth } = this.flow(platform);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 30_000);
    try {
      const identity = await oauth.exchange(
        { code: q.code, redirectUri: pending.redirectUri, ...(pending.verifier ? { codeVerifier: pending.verifier } : {}) },
        this.runtime.refreshContext(platform, ctrl.signal, this.log),
      );
      const settings = adapter.manifest.accountSettings.safeParse(identity.settings ?? {});
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
