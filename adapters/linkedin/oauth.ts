/**
 * LinkedIn OAuth 2.0 (3-legged, no PKCE for web apps) and programmatic refresh.
 * Refresh tokens exist only for approved partners (MDP / Community Management); they
 * last 365 days from first consent and do not slide [V programmatic-refresh-tokens].
 */
import { authFailed, nextUtcMidnight, rateLimited, rejected, transient } from '../../src/platform/errors.ts';
import { type HttpResponse, parseBody } from '../../src/platform/http.ts';
import type { ConnectedIdentity, Credentials, OAuthFlow, RefreshContext } from '../../src/platform/port.ts';
import { DOCS, isOk, OAUTH_BASE, oauthErrorSchema, tokenSchema, USERINFO_URL, userinfoSchema } from './client.ts';
import { classifyFailure } from './errors.ts';

/** `openid profile` gives /v2/userinfo (the person id); `w_member_social` posts as the member. */
export const LINKEDIN_SCOPES = ['openid', 'profile', 'w_member_social'] as const;

function clientOf(ctx: RefreshContext): { clientId: string; clientSecret: string } {
  const { clientId, clientSecret } = ctx.settings;
  if (!clientId || !clientSecret) {
    throw rejected({ code: 'linkedin.oauth_not_configured', message: 'LinkedIn OAuth needs LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET' });
  }
  return { clientId, clientSecret };
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

function tokenEndpointFailure(res: HttpResponse, grant: 'authorization_code' | 'refresh_token') {
  const raw = res.safeJson();
  const body = oauthErrorSchema.safeParse(raw);
  const error = body.success ? body.data.error : undefined;
  const said = `LinkedIn token endpoint answered ${res.status}${error ? ` ${error}` : ''}: ${(body.success ? body.data.error_description : undefined) ?? res.text.slice(0, 200)}`;
  const facts = { platformStatus: res.status, ...(error ? { platformCode: error } : {}) };
  if (res.status === 429) return rateLimited({ ...facts, code: 'linkedin.rate_limited', retryAt: nextUtcMidnight(), message: said });
  if (res.status >= 500) return transient({ ...facts, code: 'linkedin.server_error', message: said });
  if (grant === 'refresh_token' && error === 'invalid_grant') {
    return authFailed({ ...facts, code: 'linkedin.refresh_token_dead', refreshable: false, message: `${said}; the member must reconnect LinkedIn` });
  }
  return authFailed({ ...facts, code: grant === 'refresh_token' ? 'linkedin.refresh_failed' : 'linkedin.code_exchange_failed', refreshable: false, message: said });
}

async function tokenRequest(ctx: RefreshContext, form: Record<string, string>, grant: 'authorization_code' | 'refresh_token') {
  const res = await ctx.http.request({
    method: 'POST',
    url: `${OAUTH_BASE}/accessToken`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    phase: 'prepare',
  });
  if (!isOk(res)) throw tokenEndpointFailure(res, grant);
  return parseBody(tokenSchema, res, { platform: 'linkedin', phase: 'prepare', doc: grant === 'refresh_token' ? DOCS.refresh : DOCS.oauth });
}

export async function refreshLinkedIn(credentials: Credentials, ctx: RefreshContext): Promise<Credentials> {
  if (!credentials.refreshToken) {
    throw authFailed({
      code: 'linkedin.reauth_required',
      refreshable: false,
      message: 'the LinkedIn access token expired and there is no refresh token: LinkedIn gives refresh tokens only to approved partners (MDP / Community Management), so the member must reconnect the account (every 60 days)',
    });
  }
  const { clientId, clientSecret } = clientOf(ctx);
  const t = await tokenRequest(ctx, {
    grant_type: 'refresh_token', refresh_token: credentials.refreshToken, client_id: clientId, client_secret: clientSecret,
  }, 'refresh_token');
  return {
    ...credentials,
    accessToken: t.access_token,
    expiresAt: inSeconds(t.expires_in),
    // Keep the old refresh token when none comes back; its expiry is fixed from first consent.
    refreshToken: t.refresh_token ?? credentials.refreshToken,
    ...(t.refresh_token_expires_in !== undefined ? { refreshTokenExpiresAt: inSeconds(t.refresh_token_expires_in) } : {}),
    ...(t.scope ? { scope: t.scope } : {}),
  };
}

export const linkedinOAuth: OAuthFlow = {
  pkce: false,
  scopes: LINKEDIN_SCOPES,
  authorizeUrl(start, rewrite) {
    const q = [
      ['response_type', 'code'],
      ['client_id', start.clientId],
      ['redirect_uri', start.redirectUri],
      ['state', start.state],
      ['scope', LINKEDIN_SCOPES.join(' ')],
    ].map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&');
    return rewrite(`${OAUTH_BASE}/authorization?${q}`);
  },
  async exchange(params, ctx): Promise<ConnectedIdentity> {
    const { clientId, clientSecret } = clientOf(ctx);
    const t = await tokenRequest(ctx, {
      grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri, client_id: clientId, client_secret: clientSecret,
    }, 'authorization_code');
    const res = await ctx.http.request({ method: 'GET', url: USERINFO_URL, headers: { Authorization: `Bearer ${t.access_token}` }, phase: 'read' });
    if (!isOk(res)) throw classifyFailure(res, { step: 'read', apiVersion: '' });
    const me = parseBody(userinfoSchema, res, { platform: 'linkedin', phase: 'read', doc: DOCS.userinfo });
    return {
      externalId: `urn:li:person:${me.sub}`,
      ...(me.name ? { handle: me.name } : {}),
      credentials: {
        accessToken: t.access_token,
        expiresAt: inSeconds(t.expires_in),
        ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
        ...(t.refresh_token_expires_in !== undefined ? { refreshTokenExpiresAt: inSeconds(t.refresh_token_expires_in) } : {}),
        ...(t.scope ? { scope: t.scope } : {}),
      },
    };
  },
};
