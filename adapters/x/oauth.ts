/**
 * OAuth 2.0 Authorization Code + PKCE for X, and the refresh of rotating, single-use
 * refresh tokens. https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
 */
import { authFailed } from '../../src/platform/errors.ts';
import type { ConnectedIdentity, Credentials, OAuthFlow, OAuthStart, PlatformSettings, RefreshContext } from '../../src/platform/port.ts';
import { DOCS, X_AUTHORIZE_URL, parseX, tokenResponse, usersMeResponse, xCall } from './client.ts';
import { classifyXError, parseProblem } from './errors.ts';

/** POST /2/tweets needs tweet.read tweet.write users.read; uploads media.write; refresh tokens offline.access. */
export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'] as const;
/** Access tokens live 2 hours (docs); used when X omits expires_in. */
const DEFAULT_EXPIRES_IN_S = 7200;

type Grant = 'authorization_code' | 'refresh_token';

function clientAuth(settings: PlatformSettings): { headers: Record<string, string>; form: Record<string, string> } {
  const id = settings.clientId;
  if (!id) {
    throw authFailed({
      code: 'x.client_id_missing', refreshable: false,
      message: 'No X client id is configured in Herald, so X tokens cannot be issued or refreshed.',
    });
  }
  // A confidential client authenticates with Basic; a public client names itself in the form.
  if (settings.clientSecret) {
    return { headers: { authorization: `Basic ${Buffer.from(`${id}:${settings.clientSecret}`).toString('base64')}` }, form: {} };
  }
  return { headers: {}, form: { client_id: id } };
}

async function tokenCall(ctx: RefreshContext, grant: Grant, fields: Record<string, string>) {
  const auth = clientAuth(ctx.settings);
  const res = await ctx.http.request({
    method: 'POST',
    url: 'https://api.x.com/2/oauth2/token',
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, grant_type: grant, ...auth.form }).toString(),
    phase: 'prepare',
  });
  if (res.status === 400) {
    // {"error":"invalid_request","error_description":"Value passed for the token was invalid."}
    const p = parseProblem(res.text);
    const clientProblem = p.error === 'invalid_client' || p.error === 'unauthorized_client';
    const said = p.error_description ?? p.error ?? 'invalid request';
    throw authFailed({
      code: clientProblem ? 'x.client_rejected' : grant === 'refresh_token' ? 'x.refresh_token_invalid' : 'x.authorization_code_invalid',
      refreshable: false, platformStatus: 400, platformCode: p.error,
      message: clientProblem
        ? `X rejected Herald's app credentials (${said}). Check the X client id and secret.`
        : grant === 'refresh_token'
          ? `X no longer accepts this account's refresh token (${said}); it is single-use and may have been used already. Reconnect the X account.`
          : `X refused the authorization code (${said}); codes are single-use and expire after 30 seconds. Connect the account again.`,
    });
  }
  if (res.status < 200 || res.status > 299) throw classifyXError(res, 'token');
  return parseX(tokenResponse, res, 'prepare', DOCS.token);
}

function toCredentials(t: { access_token: string; refresh_token?: string; expires_in?: number; scope?: string }, base: Partial<Credentials> = {}): Credentials {
  return {
    ...base,
    accessToken: t.access_token,
    // Rotation: the old refresh token is dead now; keep only what X just returned.
    refreshToken: t.refresh_token,
    expiresAt: new Date(Date.now() + (t.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000).toISOString(),
    scope: t.scope ?? base.scope,
  };
}

/** POST /2/oauth2/token grant_type=refresh_token. The caller must store the new pair atomically. */
export async function refreshX(credentials: Credentials, ctx: RefreshContext): Promise<Credentials> {
  if (!credentials.refreshToken) {
    throw authFailed({
      code: 'x.no_refresh_token', refreshable: false,
      message: 'This X account has no refresh token (it was connected without offline.access). Reconnect the X account.',
    });
  }
  const t = await tokenCall(ctx, 'refresh_token', { refresh_token: credentials.refreshToken });
  return toCredentials(t, credentials);
}

function authorizeUrl(start: OAuthStart, rewrite: (url: string) => string): string {
  if (!start.codeChallenge) throw new Error('X requires PKCE: a code challenge is needed to build the authorize URL');
  const params: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', start.clientId],
    ['redirect_uri', start.redirectUri],
    ['scope', X_SCOPES.join(' ')],
    ['state', start.state],
    ['code_challenge', start.codeChallenge],
    ['code_challenge_method', 'S256'],
  ];
  // encodeURIComponent writes the scope separators as %20, as X's own examples do.
  return rewrite(`${X_AUTHORIZE_URL}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`);
}

async function exchange(
  params: { code: string; redirectUri: string; codeVerifier?: string },
  ctx: RefreshContext,
): Promise<ConnectedIdentity> {
  if (!params.codeVerifier) throw new Error('X requires PKCE: the code verifier is missing');
  const t = await tokenCall(ctx, 'authorization_code', {
    code: params.code, redirect_uri: params.redirectUri, code_verifier: params.codeVerifier,
  });
  const me = parseX(
    usersMeResponse,
    await xCall(ctx.http, { method: 'GET', path: '/2/users/me', token: t.access_token, phase: 'read', op: 'read' }),
    'read',
    DOCS.usersMe,
  );
  return { externalId: me.data.id, handle: me.data.username, credentials: toCredentials(t) };
}

export const xOAuth: OAuthFlow = { pkce: true, scopes: X_SCOPES, authorizeUrl, exchange };
