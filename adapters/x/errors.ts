/**
 * X answers → AdapterError, per the error table in shared/platforms/x.md. X speaks the v2
 * "problem" format ({title, detail, type, status, errors[]}) on the API; token-endpoint
 * answers are classified by the OAuth 2 kit (src/platform/oauth2-errors.ts).
 * https://docs.x.com/x-api/fundamentals/response-codes-and-errors
 */
import { serverError, type ResponseHeaders } from '../../src/platform/http.ts';
import { z } from 'zod';
import type { AdapterError } from '../../src/platform/errors.ts';
import { authFailed, rateLimited, rejected, transient, unknownOutcome } from './codes.ts';

/** Which kind of call failed: it decides whether a 5xx is ambiguous. */
export type XOperation = 'tweet' | 'upload' | 'status' | 'read' | 'metadata';

export interface XAnswer {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

const problemSchema = z
  .object({
    title: z.string(),
    detail: z.string(),
    type: z.string(),
    errors: z.array(z.object({ message: z.string(), detail: z.string(), code: z.number() }).partial()),
    error: z.string(),
    error_description: z.string(),
  })
  .partial();

export type XProblem = z.infer<typeof problemSchema>;

export function parseProblem(text: string): XProblem {
  try {
    const parsed = problemSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** What X said, in one line: detail, then the first validation messages. */
export function describeProblem(p: XProblem, status: number): string {
  const parts = [p.detail ?? p.error_description ?? p.title ?? p.error];
  for (const e of p.errors ?? []) parts.push(e.message ?? e.detail);
  const said = [...new Set(parts.filter((s): s is string => Boolean(s)))].slice(0, 3).join(' — ');
  return said || `HTTP ${status}`;
}

/** docs.x.com rate-limits: a 15-minute window; fallback when X sends no reset header. */
const RATE_WINDOW_MS = 15 * 60 * 1000;
/** A usage cap lasts until the billing period resets, which X does not announce: re-check hourly. */
const USAGE_CAP_RECHECK_MS = 60 * 60 * 1000;

export function epochHeader(headers: ResponseHeaders, name: string): Date | undefined {
  const raw = headers.get(name);
  if (!raw || !/^\d+$/.test(raw.trim())) return undefined;
  const at = new Date(Number(raw) * 1000);
  return at.getTime() > 0 ? at : undefined;
}

function rateLimitError(res: XAnswer, p: XProblem, now: Date): AdapterError {
  const usageCapped = /usage-capped/.test(p.type ?? '');
  // POST /2/tweets also reports 24-hour budgets; an exhausted one outlasts the 15-minute window.
  const appDayOut = res.headers.get('x-app-limit-24hour-remaining') === '0';
  const userDayOut = res.headers.get('x-user-limit-24hour-remaining') === '0';
  const header = appDayOut ? 'x-app-limit-24hour-reset' : userDayOut ? 'x-user-limit-24hour-reset' : 'x-rate-limit-reset';
  const reset = epochHeader(res.headers, header) ?? epochHeader(res.headers, 'x-rate-limit-reset');
  let retryAt = reset ?? new Date(now.getTime() + RATE_WINDOW_MS);
  if (usageCapped) retryAt = new Date(Math.max(retryAt.getTime(), now.getTime() + USAGE_CAP_RECHECK_MS));
  if (retryAt.getTime() <= now.getTime()) retryAt = new Date(now.getTime() + 1000);
  const when = retryAt.toISOString();
  if (usageCapped) {
    return rateLimited({
      code: 'x.usage_capped', scope: 'platform', retryAt, platformStatus: 429, platformCode: p.type,
      message: `X says this app has used up its API usage cap for the billing period; nothing is posted to X until it resets (next check ${when}).`,
    });
  }
  return rateLimited({
    code: appDayOut ? 'x.app_daily_limit' : userDayOut ? 'x.user_daily_limit' : 'x.rate_limited',
    scope: appDayOut ? 'platform' : 'account',
    retryAt, platformStatus: 429, platformCode: p.type,
    message: appDayOut
      ? `This Herald app reached X's daily posting limit; posting resumes at ${when}.`
      : `X's rate limit for this account is reached; Herald will try again at ${when}.`,
  });
}

function forbidden(p: XProblem, op: XOperation): AdapterError {
  const said = describeProblem(p, 403);
  const base = { platformStatus: 403, platformCode: p.type };
  if (/unsupported authentication/i.test(`${p.title} ${p.detail}`) || /unsupported-authentication/.test(p.type ?? '')) {
    return authFailed({
      ...base, code: 'x.unsupported_authentication', refreshable: false,
      message: 'X refused the kind of token Herald sent (Unsupported Authentication). Reconnect the X account.',
    });
  }
  if (/duplicate content/i.test(said)) {
    return rejected({
      ...base, code: 'x.duplicate_content',
      message: 'X refused the post as a duplicate: this account already posted the same text recently. Change the text to post it again.',
    });
  }
  if (/suspended/i.test(said) || /user-suspended/.test(p.type ?? '')) {
    return rejected({ ...base, code: 'x.account_suspended', message: `X says this account is suspended: ${said}` });
  }
  if (/client-forbidden/.test(p.type ?? '')) {
    return rejected({
      ...base, code: 'x.client_forbidden',
      message: `X refused this app (client-forbidden): the app must belong to a Project with access to this endpoint. X said: ${said}`,
    });
  }
  if (op === 'tweet' && /not permitted to perform this action/i.test(said)) {
    return rejected({
      ...base, code: 'x.not_permitted',
      message: `X refused the post: "${said}" X answers this when the text is over 280 characters as X counts them or the media combination is not allowed (up to 4 images, or 1 GIF, or 1 video).`,
    });
  }
  return rejected({ ...base, code: 'x.forbidden', message: `X refused the request: ${said}` });
}

/** Classify a non-2xx answer from X. `now` is injectable for tests. */
export function classifyXError(res: XAnswer, op: XOperation, now = new Date()): AdapterError {
  const p = parseProblem(res.text);
  const said = describeProblem(p, res.status);
  const base = { platformStatus: res.status, platformCode: p.type ?? p.error };
  if (res.status === 429) return rateLimitError(res, p, now);
  if (res.status === 401) {
    return authFailed({
      ...base, code: 'x.unauthorized', refreshable: true,
      message: 'X did not accept the access token (it expired or was revoked). Herald refreshes it once; if that fails, reconnect the X account.',
    });
  }
  if (res.status === 403) return forbidden(p, op);
  if (res.status >= 500) {
    // X documents that a post may still have been created after a 5xx: lookup checks the timeline.
    return serverError(res, { platform: 'x', phase: op === 'tweet' ? 'write' : 'prepare', message: `X had a problem (${res.status}): ${said}`, ...(base.platformCode ? { platformCode: base.platformCode } : {}) });
  }
  if (res.status >= 400) {
    const what = op === 'tweet' ? 'the post' : op === 'upload' || op === 'status' ? 'the media upload' : 'the request';
    const code = res.status === 400 ? 'x.invalid_request' : res.status === 404 ? 'x.not_found' : 'x.refused';
    return rejected({ ...base, code, message: `X refused ${what} (${res.status}): ${said}` });
  }
  // 1xx / 3xx: nothing X documents. On the write it proves nothing either way.
  const message = `X answered an unexpected ${res.status}: ${said}`;
  return op === 'tweet' ? unknownOutcome({ ...base, code: 'x.unexpected_status', message }) : transient({ ...base, code: 'x.unexpected_status', message });
}
