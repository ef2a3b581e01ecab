/**
 * What a token endpoint's answer means, for every OAuth 2 platform (RFC 6749 §5.2):
 *   invalid_grant (and the platform's own aliases) → the creator's grant is dead: reauth
 *   invalid_client / unauthorized_client / unsupported_grant_type, 401/403 without a grant
 *     error, or app credentials missing in Herald → an operator configuration error: the
 *     platform pauses with the reason; no creator account is ever marked reauth_required
 *   429 → wait (retry time from Retry-After, else a minute); 5xx → transient
 *   a lost answer → transient; when the refresh token is single-use the risk is flagged
 *     (`answerLost`) so the refresher records it on the account.
 * https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
import { z } from 'zod';
import { AdapterError, authFailed, rateLimited, transient, type AdapterErrorInit } from './errors.ts';
import type { HttpResponse } from './http.ts';

export type Grant = 'authorization_code' | 'refresh_token' | 'client_credentials';

/** How long deliveries wait before looking again while app credentials are being fixed. */
export const APP_CONFIG_RECHECK_MS = 60_000;
const RATE_LIMIT_FALLBACK_MS = 60_000;

// RFC 6749 §5.2 error response; platforms add fields (error_uri, status…), kept loose.
export const oauthErrorBody = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * Herald's app credentials are missing or refused. Not the creator's fault: the platform is
 * paused with `message` as its admin-visible reason and the delivery waits (rate_limited,
 * platform scope, no attempt spent) until an operator fixes the credentials and resumes it.
 */
export class AppConfigError extends AdapterError {
  readonly appConfig = true as const;
  constructor(init: Omit<AdapterErrorInit, 'kind' | 'scope' | 'retryAt'>) {
    super({ ...init, kind: 'rate_limited', scope: 'platform', retryAt: new Date(Date.now() + APP_CONFIG_RECHECK_MS) });
  }

  static isAppConfig(err: unknown): err is AppConfigError {
    return AdapterError.is(err) && (err as { appConfig?: unknown }).appConfig === true;
  }
}

/**
 * A refresh of a rotating refresh token whose answer never arrived after the request was
 * sent: the platform may have rotated it. With `graceMs` the old token still works for that
 * long (send the refresh again at once); without it the stored token may be dead.
 */
export class RefreshAnswerLostError extends AdapterError {
  readonly answerLost = true as const;
  readonly graceMs: number | undefined;
  constructor(init: Omit<AdapterErrorInit, 'kind'> & { graceMs?: number }) {
    const { graceMs, ...rest } = init;
    super({ ...rest, kind: 'transient' });
    this.graceMs = graceMs;
  }

  static isAnswerLost(err: unknown): err is RefreshAnswerLostError {
    return AdapterError.is(err) && (err as { answerLost?: unknown }).answerLost === true;
  }
}

/** The codes the kit throws, `<platform>.` + code: part of every OAuth adapter's code table. */
export const OAUTH_ERROR_CODES = {
  oauth_client_missing: { kind: 'rate_limited', meaning: 'Herald has no client id/secret for this platform (operator configuration)' },
  oauth_client_rejected: { kind: 'rate_limited', meaning: 'the platform refused Herald\'s app credentials (operator configuration)' },
  no_refresh_token: { kind: 'auth', meaning: 'the account has no refresh token; it must be reconnected' },
  refresh_token_invalid: { kind: 'auth', meaning: 'the platform no longer accepts the refresh token; the account must be reconnected' },
  authorization_code_invalid: { kind: 'auth', meaning: 'the authorization code was refused (used, expired or wrong PKCE verifier)' },
  token_rate_limited: { kind: 'rate_limited', meaning: 'the token endpoint asked Herald to slow down' },
  token_server_error: { kind: 'transient', meaning: 'the token endpoint failed (5xx or an unreadable answer)' },
  token_request_refused: { kind: 'transient', meaning: 'the token endpoint refused the request for a reason RFC 6749 does not name' },
  refresh_answer_lost: { kind: 'transient', meaning: 'a refresh was sent and its answer lost; a rotating refresh token may be spent' },
} as const;

export interface ClassifyContext {
  platform: string;
  displayName: string;
  grant: Grant;
  /** Error codes this platform uses for a dead grant besides invalid_grant (X: invalid_request). */
  deadGrantErrors?: readonly string[];
  /** The platform's own retry time for a 429 (headers it documents), else Retry-After. */
  retryAt?: (res: HttpResponse, now: Date) => Date | undefined;
  now?: Date;
}

const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'redirect_uri_mismatch']);

function retryAfter(res: HttpResponse, now: Date): Date | undefined {
  const raw = res.headers.get('retry-after');
  if (!raw) return undefined;
  const s = Number(raw);
  if (Number.isFinite(s)) return new Date(now.getTime() + Math.max(1, s) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** A non-2xx token-endpoint answer as an AdapterError with a kind the worker acts on. */
export function classifyTokenFailure(res: HttpResponse, c: ClassifyContext): AdapterError {
  const now = c.now ?? new Date();
  const body = oauthErrorBody.safeParse(res.safeJson());
  const error = body.success ? body.data.error : undefined;
  const said = body.success ? (body.data.error_description ?? body.data.error) : res.text.slice(0, 200) || `HTTP ${res.status}`;
  const facts = { platformStatus: res.status, ...(error ? { platformCode: error } : {}) };
  const code = (k: keyof typeof OAUTH_ERROR_CODES) => `${c.platform}.${k}`;
  const where = `${c.displayName} token endpoint answered ${res.status}${error ? ` ${error}` : ''}: ${said}`;

  if (res.status === 429) {
    return rateLimited({ ...facts, code: code('token_rate_limited'), scope: 'platform', message: where, retryAt: c.retryAt?.(res, now) ?? retryAfter(res, now) ?? new Date(now.getTime() + RATE_LIMIT_FALLBACK_MS) });
  }
  if (res.status >= 500) return transient({ ...facts, code: code('token_server_error'), message: where });
  if ((error && CLIENT_ERRORS.has(error)) || (!error && (res.status === 401 || res.status === 403))) {
    return new AppConfigError({
      ...facts, code: code('oauth_client_rejected'),
      message: `${c.displayName} refused Herald's app credentials (${where}). Check ${c.platform.toUpperCase()}_CLIENT_ID and ${c.platform.toUpperCase()}_CLIENT_SECRET, then resume the platform; creators' accounts are not affected.`,
    });
  }
  const deadGrant = error !== undefined && (error === 'invalid_grant' || error === 'invalid_scope' || (c.deadGrantErrors ?? []).includes(error));
  if (deadGrant && c.grant === 'refresh_token') {
    return authFailed({ ...facts, code: code('refresh_token_invalid'), refreshable: false, message: `${where}. ${c.displayName} no longer accepts this account's refresh token; reconnect the account.` });
  }
  if (deadGrant && c.grant === 'authorization_code') {
    return authFailed({ ...facts, code: code('authorization_code_invalid'), refreshable: false, message: `${where}. Authorization codes are single-use and short-lived; connect the account again.` });
  }
  return transient({ ...facts, code: code('token_request_refused'), message: where });
}

/** Herald has no (complete) app credentials for this platform. */
export function appCredentialsMissing(platform: string, displayName: string, what: string): AppConfigError {
  const n = platform.toUpperCase();
  return new AppConfigError({
    code: `${platform}.oauth_client_missing`,
    message: `${displayName} needs ${what} (${n}_CLIENT_ID${what.includes('secret') ? ` and ${n}_CLIENT_SECRET` : ''}) to issue or refresh tokens; set it and resume the platform. Creators' accounts are not affected.`,
  });
}
