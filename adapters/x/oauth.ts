/**
 * OAuth 2.0 Authorization Code + PKCE for X on the OAuth 2 kit, and the refresh of rotating,
 * single-use refresh tokens. https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
 */
import { defineOAuth2 } from '../../src/platform/oauth2.ts';
import { DOCS, parseX, usersMeResponse, X_AUTHORIZE_URL, xCall } from './client.ts';
import { epochHeader } from './errors.ts';

/** POST /2/tweets needs tweet.read tweet.write users.read; uploads media.write; refresh tokens offline.access. */
export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'] as const;

export const xOAuth2 = defineOAuth2({
  platform: 'x',
  displayName: 'X',
  authorizeUrl: X_AUTHORIZE_URL,
  tokenUrl: 'https://api.x.com/2/oauth2/token',
  scopes: X_SCOPES,
  pkce: true,
  // A confidential client authenticates with Basic; a public client names itself in the form [V].
  clientAuth: 'basic-or-public',
  // Every refresh returns a new refresh token and the old one dies; reuse → 400 [S]. No grace period is documented.
  rotation: { kind: 'single-use' },
  // Access tokens live 2 hours (docs); used when X omits expires_in.
  defaultExpiresInS: 7200,
  // A used or unknown refresh token / code: 400 {"error":"invalid_request","error_description":"Value passed for the token was invalid."} [S tav2#496].
  deadGrantErrors: ['invalid_request'],
  // The token endpoint answers with x-rate-limit-* like every X endpoint.
  retryAt: (res) => epochHeader(res.headers, 'x-rate-limit-reset'),
  noRefreshTokenMessage: 'This X account has no refresh token (it was connected without offline.access). Reconnect the X account.',
  docs: DOCS.token,
});

export const refreshX = xOAuth2.refresh;

export const xOAuth = xOAuth2.flow(async (t, ctx) => {
  const me = parseX(
    usersMeResponse,
    await xCall(ctx.http, { method: 'GET', path: '/2/users/me', token: t.access_token, phase: 'read', op: 'read' }),
    'read',
    DOCS.usersMe,
  );
  return { externalId: me.data.id, handle: me.data.username };
});
