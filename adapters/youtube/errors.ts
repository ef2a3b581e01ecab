/**
 * (status, headers, body) → AdapterError for YouTube. Google answers with
 * `{"error":{"code","message","errors":[{"reason","domain","message"}]}}`; we branch on
 * `errors[0].reason` first and fall back to the HTTP status.
 * Table: https://developers.google.com/youtube/v3/docs/errors (and shared/platforms/youtube.md).
 */
import {
  AdapterError, authFailed, nextPacificMidnight, rateLimited, rejected, transient, unknownOutcome,
} from '../../src/platform/errors.ts';
import type { HttpResponse } from '../../src/platform/http.ts';
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

/** 400s that no retry can fix (postiz list + errors page); also any other 4xx reason. */
export const PERMANENT_REASONS = [
  'invalidTitle', 'invalidDescription', 'invalidTags', 'invalidCategoryId', 'invalidPublishAt',
  'invalidVideoMetadata', 'mediaBodyRequired', 'invalidFilename', 'defaultLanguageNotSet', 'forbidden',
] as const;

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
  const base = { platformStatus: res.status, platformCode: reason, message: `YouTube ${res.status}${reason ? ` ${reason}` : ''}: ${message}` };
  const code = `youtube.${reason ?? `http_${res.status}`}`;

  if (reason === 'quotaExceeded') {
    // Project-wide daily quota; it resets at midnight Pacific time [V determine_quota_cost].
    return rateLimited({ ...base, code, scope: 'platform', retryAt: nextPacificMidnight(now) });
  }
  if (reason === 'uploadLimitExceeded') {
    return rateLimited({ ...base, code, scope: 'account', retryAt: new Date(now.getTime() + UPLOAD_LIMIT_BACKOFF_MS) });
  }
  if (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded' || (res.status === 429 && !reason)) {
    const retryAt = retryAfter(res, now) ?? new Date(now.getTime() + RATE_LIMIT_BACKOFF_MS);
    return rateLimited({ ...base, code: reason ? code : 'youtube.rate_limited', retryAt });
  }
  if (reason && ACCOUNT_REASONS.has(reason)) return authFailed({ ...base, code, refreshable: false });
  if (res.status === 401) return authFailed({ ...base, code: 'youtube.authError', refreshable: true });
  if (res.status === 429) {
    return rateLimited({ ...base, code, retryAt: retryAfter(res, now) ?? new Date(now.getTime() + RATE_LIMIT_BACKOFF_MS) });
  }
  if (res.status >= 400 && res.status < 500) return rejected({ ...base, code });
  // 5xx (backendError) or a surprise status: before the final chunk nothing exists yet.
  if (stage === 'final') {
    return unknownOutcome({
      ...base,
      code: 'youtube.final_chunk_outcome_unknown',
      message: `${base.message}; the final chunk may have completed the upload (probe the session to find out)`,
    });
  }
  return transient({ ...base, code: reason ? code : 'youtube.server_error' });
}
