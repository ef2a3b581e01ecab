/**
 * (status, headers, body) → AdapterError for YouTube. Google answers with
 * `{"error":{"code","message","errors":[{"reason","domain","message"}]}}`; we branch on
 * `errors[0].reason` first and fall back to the HTTP status.
 * Table: https://developers.google.com/youtube/v3/docs/errors (and shared/platforms/youtube.md).
 */
import { type AdapterError, nextPacificMidnight } from '../../src/platform/errors.ts';
import { type HttpResponse, serverError } from '../../src/platform/http.ts';
import { authFailed, rateLimited, rejected } from './codes.ts';
import { googleErrorBody } from './client.ts';

/**
 * start: session start (nothing exists yet) · chunk: a non-final byte PUT · final: the
 * armed final chunk · probe: `bytes *\/N` status query · read: channels.list and friends.
 */
export type Stage = 'start' | 'chunk' | 'final' | 'probe' | 'read';

/**
 * No rate-limit headers exist [youtube.md]; `rateLimitExceeded` only says "slow down".
 * One minute is a polite first back-off; the worker's own backoff grows from there.
 */
export const RATE_LIMIT_BACKOFF_MS = 60_000;
/** `uploadLimitExceeded` is a rolling per-channel 24 h cap (number unpublished). */
export const UPLOAD_LIMIT_BACKOFF_MS = 24 * 60 * 60 * 1000;

/** The account itself cannot upload: reconnecting (after fixing the account) is the only way out. */
const ACCOUNT_REASONS = new Set([
  'youtubeSignupRequired', 'authenticatedUserAccountSuspended', 'authenticatedUserAccountClosed', 'insufficientPermissions',
]);

interface GoogleError {
  reason?: string;
  message: string;
}

export function readGoogleError(res: HttpResponse): GoogleError {
  const raw = res.safeJson();
  const parsed = googleErrorBody.safeParse(raw);
  if (!parsed.success) return { message: res.text.slice(0, 200) || `HTTP ${res.status}` };
  const first = parsed.data.error.errors?.[0];
  return {
    reason: first?.reason,
    message: first?.message ?? parsed.data.error.message ?? `HTTP ${res.status}`,
  };
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfter(res: HttpResponse, now: Date): Date | undefined {
  const h = res.headers.get('retry-after');
  if (!h) return undefined;
  const secs = Number(h);
  if (Number.isFinite(secs)) return new Date(now.getTime() + Math.max(1, secs) * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) || at <= now.getTime() ? undefined : new Date(at);
}

export function classifyApiError(res: HttpResponse, stage: Stage, now = new Date()): AdapterError {
  const { reason, message } = readGoogleError(res);
  const base = { platformStatus: res.status, ...(reason ? { platformCode: reason } : {}), message: `YouTube ${res.status}${reason ? ` ${reason}` : ''}: ${message}` };

  if (reason === 'quotaExceeded') {
    // Project-wide daily quota; it resets at midnight Pacific time [V determine_quota_cost].
    return rateLimited({ ...base, code: 'youtube.quota_exceeded', scope: 'platform', retryAt: nextPacificMidnight(now) });
  }
  if (reason === 'uploadLimitExceeded') {
    return rateLimited({ ...base, code: 'youtube.upload_limit_exceeded', scope: 'account', retryAt: new Date(now.getTime() + UPLOAD_LIMIT_BACKOFF_MS) });
  }
  if (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded' || res.status === 429) {
    const retryAt = retryAfter(res, now) ?? new Date(now.getTime() + RATE_LIMIT_BACKOFF_MS);
    return rateLimited({ ...base, code: 'youtube.rate_limited', retryAt });
  }
  if (reason && ACCOUNT_REASONS.has(reason)) return authFailed({ ...base, code: 'youtube.account_cannot_upload', refreshable: false });
  if (res.status === 401) return authFailed({ ...base, code: 'youtube.unauthorized', refreshable: true });
  if (res.status >= 400 && res.status < 500) {
    return rejected({ ...base, code: res.status === 403 ? 'youtube.forbidden' : res.status === 404 ? 'youtube.not_found' : 'youtube.invalid_request' });
  }
  // 5xx (backendError) or a surprise status: before the final chunk nothing exists yet; after
  // it, the final chunk may have completed the upload (lookup probes the session to find out).
  return serverError(res, { platform: 'youtube', phase: stage === 'final' ? 'write' : 'prepare', ...base });
}
