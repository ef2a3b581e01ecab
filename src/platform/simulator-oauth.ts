/**
 * Simulator kit v2 (test and sandbox code, not part of the production port): a platform's
 * OAuth 2 authorization server and its bearer checks, configured as data. Authorize page
 * (approves at once), token endpoint (authorization_code + refresh_token) with the
 * platform's client authentication, PKCE, code lifetime, refresh-token rotation (single-use,
 * rotating with a grace period, reusable) and error shapes; access tokens that expire or are
 * revoked; a refresh counter. Each simulator keeps only its platform's quirks.
 */
import { createHash } from 'node:crypto';
import { simToken, type SimHandler, type SimRequest, type SimResponse, type SimServer } from './simulator-kit.ts';

export type SimClientAuth = 'basic' | 'form' | 'public';
export type SimRotation =
  | { kind: 'single-use' }
  | { kind: 'rotating'; graceMs: number }
  /** The same refresh token keeps working; `returned`: the refresh answer repeats it (LinkedIn) or omits it (Google). */
  | { kind: 'reusable'; returned: boolean };

/** The OAuth errors a token endpoint can answer (RFC 6749 §5.2), as the platform words them. */
export type SimOAuthError = 'invalid_code' | 'invalid_refresh_token' | 'invalid_client' | 'missing_client' | 'redirect_mismatch' | 'unsupported_grant_type';

export interface SimOAuthOptions {
  /** Prefix of issued tokens (`<prefix>_at_…`, `<prefix>_rt_…`, `<prefix>_code_…`). */
  prefix: string;
  accessTokenTtlMs: number;
  /** `expires_in` is the lifetime minus this many seconds (Google answers 3599 for an hour). */
  expiresInSkewS?: number;
  /** Refresh-token lifetime, fixed from first consent (LinkedIn 365 d); unlimited when absent. */
  refreshTokenTtlMs?: number;
  /** Send `refresh_token_expires_in` (LinkedIn). */
  reportRefreshExpiry?: boolean;
  rotation: SimRotation;
  /** Client authentication the token endpoint accepts. */
  clientAuth: readonly SimClientAuth[];
  /** When set, the client id (and secret, when given) are checked. */
  client?: { id?: string; secret?: string };
  /** Clients registered at run time (per-instance apps): is this id (with this secret, when given) one of them? */
  checkClient?: (id: string, secret?: string) => boolean;
  pkce: 'required' | 'optional' | 'none';
  /** Code challenge methods accepted (default S256 only). */
  pkceMethods?: readonly ('S256' | 'plain')[];
  codeTtlMs?: number;
  /** Whether a grant gets a refresh token (X: scope has offline.access; Google: access_type=offline). Default: always. */
  issuesRefreshToken?: (scope: string, authorizeQuery: URLSearchParams) => boolean;
  /** Scopes as the platform stores them (LinkedIn answers comma-separated). */
  normalizeScope?: (scope: string) => string;
  /** The platform's status and body for each error. Default: 400/401 `{error, error_description}`. */
  error?: (e: SimOAuthError) => SimResponse;
  now?: () => number;
}

export interface SimGrant {
  userId: string;
  scope: string;
  revoked: boolean;
  /** ms epoch; the refresh-token expiry does not slide. */
  refreshExpiresAt: number;
}

export type BearerCheck =
  | { ok: true; userId: string; scope: string; token: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'revoked' };

export interface SimOAuth {
  /**
   * Register the authorize page and token endpoint; `signIn` is the user who consents (or a
   * refusal); `wrap` adds what every answer of the platform carries (rate-limit headers).
   */
  routes(server: SimServer, paths: { authorize: string; token: string }, signIn: (req: SimRequest) => string | SimResponse, wrap?: (h: SimHandler) => SimHandler): void;
  /** Tokens for a demo account, as a token endpoint would answer. */
  issue(userId: string, scope: string, withRefreshToken?: boolean): TokenAnswer;
  bearer(req: SimRequest): BearerCheck;
  expireAccessToken(token?: string): void;
  revokeAccessToken(token: string): void;
  /** The user revokes the grant: its refresh token and access tokens die. */
  revokeRefreshToken(token: string): void;
  readonly refreshCount: number;
}

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

const defaultError = (e: SimOAuthError): SimResponse => {
  const table: Record<SimOAuthError, [number, string, string]> = {
    invalid_code: [400, 'invalid_grant', 'The authorization code is invalid, used or expired.'],
    invalid_refresh_token: [400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.'],
    invalid_client: [401, 'invalid_client', 'Client authentication failed.'],
    missing_client: [401, 'invalid_client', 'Client authentication is required.'],
    redirect_mismatch: [400, 'invalid_grant', 'redirect_uri does not match the authorization request.'],
    unsupported_grant_type: [400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.'],
  };
  const [status, error, error_description] = table[e];
  return { status, body: { error, error_description } };
};

export function createSimOAuth(o: SimOAuthOptions): SimOAuth {
  const now = o.now ?? Date.now;
  const fail = o.error ?? defaultError;
  const access = new Map<string, { grant: SimGrant; expiresAt: number; revoked: boolean }>();
  /** Refresh tokens; `retiredAt`: rotated away (dead, or alive until the grace period ends). */
  const refresh = new Map<string, { grant: SimGrant; retiredAt?: number }>();
  const codes = new Map<string, { userId: string; clientId: string; redirectUri: string; challenge?: string; method: string; scope: string; query: URLSearchParams; expiresAt: number; used: boolean }>();
  let refreshCount = 0;

  function answer(grant: SimGrant, refreshToken: string | undefined): TokenAnswer {
    const accessToken = simToken(`${o.prefix}_at`);
    access.set(accessToken, { grant, expiresAt: now() + o.accessTokenTtlMs, revoked: false });
    return {
      access_token: accessToken, token_type: 'bearer', expires_in: Math.round(o.accessTokenTtlMs / 1000) - (o.expiresInSkewS ?? 0), scope: grant.scope,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(refreshToken && o.reportRefreshExpiry && o.refreshTokenTtlMs ? { refresh_token_expires_in: Math.floor((grant.refreshExpiresAt - now()) / 1000) } : {}),
    };
  }

  function newRefreshToken(grant: SimGrant): string {
    const token = simToken(`${o.prefix}_rt`);
    refresh.set(token, { grant });
    return token;
  }

  function grantFor(userId: string, scope: string): SimGrant {
    return { userId, scope, revoked: false, refreshExpiresAt: o.refreshTokenTtlMs ? now() + o.refreshTokenTtlMs : Infinity };
  }

  /** The client the request authenticates as, or the error to answer. */
  function client(req: SimRequest, form: URLSearchParams): { id: string } | SimResponse {
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''));
    let id: string | undefined;
    let secret: string | undefined;
    let mode: SimClientAuth;
    if (basic) {
      const [rawId, rawSecret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(rawId ?? '');
      secret = decodeURIComponent(rawSecret ?? '');
      mode = 'basic';
    } else {
      id = form.get('client_id') ?? undefined;
      secret = form.get('client_secret') ?? undefined;
      mode = secret !== undefined ? 'form' : 'public';
    }
    if (!id || !o.clientAuth.includes(mode)) return fail('missing_client');
    if (o.client?.id !== undefined && id !== o.client.id) return fail('invalid_client');
    if (mode !== 'public' && o.client?.secret !== undefined && secret !== o.client.secret) return fail('invalid_client');
    if (o.checkClient && !o.checkClient(id, secret)) return fail('invalid_client');
    return { id };
  }

  function routes(server: SimServer, paths: { authorize: string; token: string }, signIn: (req: SimRequest) => string | SimResponse, wrap: (h: SimHandler) => SimHandler = (h) => h) {
    server.route('GET', paths.authorize, wrap((req) => {
      const q = req.query;
      const method = q.get('code_challenge_method') ?? (q.get('code_challenge') ? 'plain' : '');
      const pkceOk = o.pkce === 'none' || (!q.get('code_challenge') ? o.pkce === 'optional' : (o.pkceMethods ?? ['S256']).includes(method as 'S256'));
      if (q.get('response_type') !== 'code' || !q.get('client_id') || !q.get('redirect_uri') || !q.get('scope') || !pkceOk) {
        return { status: 400, body: 'invalid_request: response_type=code, client_id, redirect_uri, scope (and a code_challenge where required) are needed' };
      }
      if ((o.client?.id !== undefined && q.get('client_id') !== o.client.id) || (o.checkClient && !o.checkClient(q.get('client_id')!))) {
        return { status: 400, body: 'invalid_request: unknown client_id' };
      }
      const who = signIn(req);
      if (typeof who !== 'string') return who;
      const scope = o.normalizeScope ? o.normalizeScope(q.get('scope')!) : q.get('scope')!;
      const code = simToken(`${o.prefix}_code`);
      codes.set(code, {
        userId: who, clientId: q.get('client_id')!, redirectUri: q.get('redirect_uri')!, method, scope, query: new URLSearchParams(q),
        ...(q.get('code_challenge') ? { challenge: q.get('code_challenge')! } : {}), expiresAt: now() + (o.codeTtlMs ?? 600_000), used: false,
      });
      const to = new URL(q.get('redirect_uri')!);
      to.searchParams.set('code', code);
      if (q.get('state') !== null) to.searchParams.set('state', q.get('state')!);
      return { status: 302, headers: { location: to.toString() } };
    }));

    server.route('POST', paths.token, wrap((req) => {
      const form = req.form();
      const c = client(req, form);
      if ('status' in c) return c;
      const grantType = form.get('grant_type');
      if (grantType === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        if (!code || code.used || now() > code.expiresAt || code.clientId !== c.id) {
          if (code) code.used = true; // single-use, even when the exchange fails
          return fail('invalid_code');
        }
        code.used = true;
        if (code.redirectUri !== form.get('redirect_uri')) return fail('redirect_mismatch');
        if (code.challenge !== undefined) {
          const verifier = form.get('code_verifier') ?? '';
          const derived = code.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
          if (derived !== code.challenge) return fail('invalid_code');
        }
        const grant = grantFor(code.userId, code.scope);
        const withRefresh = o.issuesRefreshToken?.(code.scope, code.query) ?? true;
        return { status: 200, body: answer(grant, withRefresh ? newRefreshToken(grant) : undefined) };
      }
      if (grantType === 'refresh_token') {
        const token = form.get('refresh_token') ?? '';
        const r = refresh.get(token);
        const alive = r && !r.grant.revoked && r.grant.refreshExpiresAt > now()
          && (r.retiredAt === undefined || (o.rotation.kind === 'rotating' && now() - r.retiredAt < o.rotation.graceMs));
        if (!r || !alive) return fail('invalid_refresh_token');
        refreshCount += 1;
        if (o.rotation.kind === 'reusable') return { status: 200, body: answer(r.grant, o.rotation.returned ? token : undefined) };
        r.retiredAt ??= now(); // rotation: the old refresh token dies now (or at the end of its grace period)
        return { status: 200, body: answer(r.grant, newRefreshToken(r.grant)) };
      }
      return fail('unsupported_grant_type');
    }));
  }

  return {
    routes,
    issue(userId, scope, withRefreshToken = true) {
      const grant = grantFor(userId, scope);
      return answer(grant, withRefreshToken ? newRefreshToken(grant) : undefined);
    },
    bearer(req) {
      const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (!m) return { ok: false, reason: 'missing' };
      const t = access.get(m[1]!);
      if (!t) return { ok: false, reason: 'invalid' };
      if (t.revoked || t.grant.revoked) return { ok: false, reason: 'revoked' };
      if (t.expiresAt <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, userId: t.grant.userId, scope: t.grant.scope, token: m[1]! };
    },
    expireAccessToken(token) {
      for (const [t, v] of access) if (token === undefined || t === token) v.expiresAt = 0;
    },
    revokeAccessToken(token) {
      const t = access.get(token);
      if (t) t.revoked = true;
    },
    revokeRefreshToken(token) {
      const r = refresh.get(token);
      if (r) r.grant.revoked = true;
    },
    get refreshCount() {
      return refreshCount;
    },
  };
}
