/**
 * The one OAuth 2 kit every adapter uses (RFC 6749 authorization code + refresh, RFC 7636
 * PKCE S256): the authorize URL, the token request with the platform's client
 * authentication, the token response schema, the classification of token-endpoint errors
 * (oauth2-errors.ts) and the conversion to Credentials, rotation included. An adapter
 * declares its endpoints and habits as data and adds only what is its own (the identity
 * call after the code exchange).
 */
import { z } from 'zod';
import { AdapterError, authFailed } from './errors.ts';
import { parseBody, type HttpResponse, type RequestPhase } from './http.ts';
import { appCredentialsMissing, classifyTokenFailure, RefreshAnswerLostError, type Grant } from './oauth2-errors.ts';
import type { ConnectedIdentity, Credentials, OAuthFlow, OAuthStart, RefreshContext } from './port.ts';

export { AppConfigError, OAUTH_ERROR_CODES, RefreshAnswerLostError } from './oauth2-errors.ts';

/**
 * How the client proves it is Herald's app at the token endpoint (RFC 6749 §2.3.1):
 * basic:  Authorization: Basic base64(urlencode(id):urlencode(secret)) (Pinterest)
 * form:   client_id and client_secret in the form body (LinkedIn, Google)
 * public: client_id in the form only, no secret (public clients, PKCE)
 * basic-or-public: basic when a secret is configured, else public (X)
 */
export type ClientAuth = 'basic' | 'form' | 'public' | 'basic-or-public';

/**
 * What a refresh answer does to the refresh token:
 * single-use: every refresh returns a new one and the old one dies (X); a lost answer may lock the account out
 * rotating:   a new one is returned and must be stored; the old one keeps working for `graceMs` (Bluesky 2 h)
 * reusable:   kept unless the platform returns another one (Google, LinkedIn)
 * none:       the platform issues no refresh tokens (Mastodon: tokens never expire)
 */
export type RefreshRotation = { kind: 'single-use' } | { kind: 'rotating'; graceMs: number } | { kind: 'reusable' } | { kind: 'none' };

export interface OAuth2Spec {
  platform: string;
  displayName: string;
  /** Browser-facing authorize page. */
  authorizeUrl: string;
  tokenUrl: string;
  scopes: readonly string[];
  /** Default ' ' (RFC 6749 §3.3). */
  scopeSeparator?: string;
  pkce: boolean;
  clientAuth: ClientAuth;
  /** Extra authorize parameters (Google: access_type=offline, prompt=consent). */
  authorizeParams?: Readonly<Record<string, string>>;
  rotation: RefreshRotation;
  /** Used when the token answer has no expires_in. */
  defaultExpiresInS?: number;
  /** Error codes meaning "this grant is dead" besides invalid_grant / invalid_scope (X: invalid_request). */
  deadGrantErrors?: readonly string[];
  /** Why an account without a refresh token cannot be refreshed (shown as the reauth reason). */
  noRefreshTokenMessage?: string;
  /** The platform's documented retry time for a 429 from the token endpoint. */
  retryAt?: (res: HttpResponse, now: Date) => Date | undefined;
  /** Where the token answer is documented (named in parse errors). */
  docs: string;
}

// RFC 6749 §5.1; extra platform fields (open_id, id_token…) are kept for the adapter.
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** The app credentials a call uses: a per-instance registration when the context has one, else config. */
function appOf(ctx: RefreshContext): { clientId?: string; clientSecret?: string } {
  return ctx.app ?? ctx.settings;
}

function clientAuth(spec: OAuth2Spec, ctx: RefreshContext): { headers: Record<string, string>; form: Record<string, string> } {
  const { clientId, clientSecret } = appOf(ctx);
  const needsSecret = spec.clientAuth === 'basic' || spec.clientAuth === 'form';
  if (!clientId || (needsSecret && !clientSecret)) {
    throw appCredentialsMissing(spec.platform, spec.displayName, needsSecret ? 'a client id and secret' : 'a client id');
  }
  const mode = spec.clientAuth === 'basic-or-public' ? (clientSecret ? 'basic' : 'public') : spec.clientAuth;
  if (mode === 'basic') {
    const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret!)}`;
    return { headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` }, form: {} };
  }
  if (mode === 'form') return { headers: {}, form: { client_id: clientId, client_secret: clientSecret! } };
  return { headers: {}, form: { client_id: clientId } };
}

export interface OAuth2Kit {
  spec: OAuth2Spec;
  authorizeUrl(start: OAuthStart, rewrite: (url: string) => string): string;
  /** POST grant_type=authorization_code; the parsed answer (extra fields kept) and its Credentials. */
  exchangeCode(params: { code: string; redirectUri: string; codeVerifier?: string }, ctx: RefreshContext): Promise<{ token: TokenResponse; credentials: Credentials }>;
  /** POST grant_type=refresh_token; the new Credentials (rotation applied). Store them at once. */
  refresh(credentials: Credentials, ctx: RefreshContext): Promise<Credentials>;
  /** The adapter's OAuthFlow: the kit's code exchange followed by the adapter's identity call. */
  flow(identify: (token: TokenResponse, ctx: RefreshContext) => Promise<Omit<ConnectedIdentity, 'credentials'>>): OAuthFlow;
}

/** Credentials from a token answer; `previous` are the credentials a refresh replaces. */
export function toCredentials(spec: Pick<OAuth2Spec, 'rotation' | 'defaultExpiresInS'>, t: TokenResponse, previous?: Credentials, now = Date.now()): Credentials {
  const expiresIn = t.expires_in ?? spec.defaultExpiresInS;
  // A single-use token is dead once refreshed: keep only what came back.
  const refreshToken = spec.rotation.kind === 'single-use' ? t.refresh_token : (t.refresh_token ?? previous?.refreshToken);
  const refreshTokenExpiresAt = t.refresh_token_expires_in !== undefined
    ? new Date(now + t.refresh_token_expires_in * 1000).toISOString()
    : t.refresh_token === undefined ? previous?.refreshTokenExpiresAt : undefined;
  const scope = t.scope ?? previous?.scope;
  const out: Credentials = { ...previous, accessToken: t.access_token, issuedAt: new Date(now).toISOString() };
  for (const [k, v] of Object.entries({ refreshToken, refreshTokenExpiresAt, scope, expiresAt: expiresIn !== undefined ? new Date(now + expiresIn * 1000).toISOString() : undefined })) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function defineOAuth2(spec: OAuth2Spec): OAuth2Kit {
  async function tokenRequest(ctx: RefreshContext, grant: Grant, fields: Record<string, string>, phase: RequestPhase): Promise<TokenResponse> {
    const auth = clientAuth(spec, ctx);
    const res = await ctx.http.request({
      method: 'POST',
      url: ctx.origin ? originUrl(spec.tokenUrl, ctx.origin) : spec.tokenUrl,
      headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...fields, grant_type: grant, ...auth.form }).toString(),
      phase,
    });
    if (res.status < 200 || res.status > 299) {
      throw classifyTokenFailure(res, {
        platform: spec.platform, displayName: spec.displayName, grant,
        ...(spec.deadGrantErrors ? { deadGrantErrors: spec.deadGrantErrors } : {}), ...(spec.retryAt ? { retryAt: spec.retryAt } : {}),
      });
    }
    return parseBody(tokenResponseSchema, res, { platform: spec.platform, phase, doc: spec.docs });
  }

  function authorizeUrl(start: OAuthStart, rewrite: (url: string) => string): string {
    if (spec.pkce && !start.codeChallenge) throw new Error(`${spec.displayName} uses PKCE: a code challenge is needed to build the authorize URL`);
    const params: [string, string][] = [
      ['response_type', 'code'],
      ['client_id', start.clientId],
      ['redirect_uri', start.redirectUri],
      ['state', start.state],
      ['scope', spec.scopes.join(spec.scopeSeparator ?? ' ')],
      ...Object.entries(spec.authorizeParams ?? {}),
      ...(spec.pkce ? [['code_challenge', start.codeChallenge!], ['code_challenge_method', 'S256']] as [string, string][] : []),
    ];
    // encodeURIComponent writes spaces as %20, as the platforms' own examples do.
    const base = start.origin ? originUrl(spec.authorizeUrl, start.origin) : spec.authorizeUrl;
    return rewrite(`${base}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`);
  }

  async function exchangeCode(params: { code: string; redirectUri: string; codeVerifier?: string }, ctx: RefreshContext) {
    if (spec.pkce && !params.codeVerifier) throw new Error(`${spec.displayName} uses PKCE: the code verifier is missing`);
    const token = await tokenRequest(ctx, 'authorization_code', {
      code: params.code, redirect_uri: params.redirectUri, ...(params.codeVerifier ? { code_verifier: params.codeVerifier } : {}),
    }, 'prepare');
    if (!token.refresh_token && spec.rotation.kind !== 'none') ctx.log.warn(`${spec.displayName} returned no refresh token: the account will need reconnecting when the access token expires`);
    return { token, credentials: toCredentials(spec, token) };
  }

  async function refresh(credentials: Credentials, ctx: RefreshContext): Promise<Credentials> {
    if (!credentials.refreshToken) {
      throw authFailed({
        code: `${spec.platform}.no_refresh_token`, refreshable: false,
        message: spec.noRefreshTokenMessage ?? `this ${spec.displayName} account has no refresh token; reconnect it`,
      });
    }
    // A rotating token may be spent the moment the platform reads it: a lost answer is not a
    // harmless retry, so the transport is told this is the write (a lost answer → unknown).
    const rotation = spec.rotation;
    try {
      const t = await tokenRequest(ctx, 'refresh_token', { refresh_token: credentials.refreshToken }, rotation.kind === 'single-use' || rotation.kind === 'rotating' ? 'write' : 'prepare');
      return toCredentials(spec, t, credentials);
    } catch (err) {
      if (AdapterError.is(err) && err.kind === 'unknown') {
        throw new RefreshAnswerLostError({
          code: `${spec.platform}.refresh_answer_lost`, cause: err,
          ...(rotation.kind === 'rotating' ? { graceMs: rotation.graceMs } : {}),
          message: rotation.kind === 'rotating'
            ? `${err.message}. ${spec.displayName} keeps the old refresh token valid for ${Math.round(rotation.graceMs / 60_000)} minutes after a rotation`
            : `${err.message}. ${spec.displayName} refresh tokens are single-use: if ${spec.displayName} rotated it, the stored one is dead and the account must be reconnected`,
        });
      }
      throw err;
    }
  }

  function flow(identify: (token: TokenResponse, ctx: RefreshContext) => Promise<Omit<ConnectedIdentity, 'credentials'>>): OAuthFlow {
    return {
      pkce: spec.pkce,
      scopes: spec.scopes,
      clientAuth: spec.clientAuth,
      authorizeUrl,
      async exchange(params, ctx) {
        const { token, credentials } = await exchangeCode(params, ctx);
        return { ...(await identify(token, ctx)), credentials };
      },
    };
  }

  return { spec, authorizeUrl, exchangeCode, refresh, flow };
}

/** `url` moved onto a per-account origin (a Mastodon instance, a Bluesky PDS); its path is kept. */
export function originUrl(url: string, origin: string): string {
  const target = new URL(url);
  const base = new URL(origin);
  target.protocol = base.protocol;
  target.host = base.host;
  return target.toString();
}
