/**
 * (status, body) → AdapterError, per the error table in shared/platforms/linkedin.md.
 * LinkedIn answers with a Rest.li envelope `{status, code, serviceErrorCode, message}`.
 */
import { type AdapterError, nextUtcMidnight } from '../../src/platform/errors.ts';
import { type HttpResponse, serverError } from '../../src/platform/http.ts';
import { AppConfigError } from '../../src/platform/oauth2-errors.ts';
import { authFailed, rateLimited, rejected, transient } from './codes.ts';
import { DOCS, type RestliError, restliErrorSchema } from './client.ts';

/**
 * post:    POST /rest/posts, the write that makes content public (5xx is ambiguous).
 * comment: the first comment, also a write (5xx is ambiguous, but never fails the delivery).
 * prepare: uploads and media registration (invisible until the post: 5xx is transient).
 * read:    status polls, userinfo.
 */
export type Step = 'post' | 'comment' | 'prepare' | 'read';

/** The first wait after a 429; each further 429 of the same delivery doubles it. */
export const THROTTLE_FIRST_WAIT_MS = 5 * 60_000;

/**
 * When to try again after the `previous + 1`th 429 of a delivery. A 429 carries no reset
 * header. Daily application and member windows reset at 00:00 UTC, but LinkedIn also answers
 * 429 to short throttles [V rate-limits; 2026 review]: THROTTLE_FIRST_WAIT_MS × 2^previous,
 * never past the next 00:00 UTC, when every daily window has reset.
 */
export function throttleRetryAt(previous: number, now = new Date()): Date {
  return new Date(Math.min(now.getTime() + THROTTLE_FIRST_WAIT_MS * 2 ** previous, nextUtcMidnight(now).getTime()));
}

export function restliError(res: HttpResponse): RestliError {
  const raw = res.safeJson();
  const parsed = restliErrorSchema.safeParse(raw);
  return parsed.success ? parsed.data : { message: res.text.slice(0, 300) };
}

/**
 * The URN a 422 DUPLICATE_POST names ("…Content is a duplicate of urn:li:share:714…"), or
 * undefined when the answer is not a duplicate refusal. `found: true` with no URN means
 * LinkedIn said duplicate without naming the original.
 */
export function duplicateOf(res: HttpResponse): { found: boolean; urn?: string } {
  if (res.status !== 422) return { found: false };
  const err = restliError(res);
  const flagged = err.errorDetails?.inputErrors?.some((e) => e.code === 'DUPLICATE_POST') ?? false;
  const message = err.message ?? '';
  if (!flagged && !/duplicate/i.test(message)) return { found: false };
  const urn = /urn:li:(?:share|ugcPost):\d+/.exec(message)?.[0];
  return urn ? { found: true, urn } : { found: true };
}

export function classifyFailure(res: HttpResponse, ctx: { step: Step; apiVersion: string }): AdapterError {
  const err = restliError(res);
  const path = new URL(res.url).pathname;
  const said = `LinkedIn answered ${res.status}${err.code ? ` ${err.code}` : ''} to ${path}: ${err.message ?? 'no message'}`;
  const facts = { platformStatus: res.status, ...(err.code ? { platformCode: err.code } : {}) };

  if (res.status === 401) {
    // REVOKED_ACCESS_TOKEN (65601): the member withdrew consent; only a new connect helps.
    if (err.code === 'REVOKED_ACCESS_TOKEN') {
      return authFailed({ ...facts, code: 'linkedin.token_revoked', refreshable: false, message: `${said}; reconnect the account` });
    }
    // EXPIRED_ACCESS_TOKEN (65602) / INVALID_ACCESS_TOKEN (65600): a refresh may fix it.
    return authFailed({ ...facts, code: 'linkedin.token_expired', refreshable: true, message: said });
  }
  if (res.status === 429) {
    // No Retry-After or rate-limit headers: the first wait; publish grows it per delivery.
    return rateLimited({ ...facts, code: 'linkedin.rate_limited', retryAt: throttleRetryAt(0), message: `${said}; LinkedIn sends no reset time` });
  }
  if (res.status === 426) {
    // A sunset version is Herald's configuration, not the creator's post: pause LinkedIn with
    // the reason (GET /v1/admin/queues); deliveries wait, no attempt spent, until it is fixed.
    return new AppConfigError({
      ...facts,
      code: 'linkedin.version_retired',
      message: `LinkedIn no longer serves API version ${ctx.apiVersion} (426 ${err.code ?? 'NONEXISTENT_VERSION'}): upgrade LINKEDIN_API_VERSION to a current YYYYMM version, or unset it to follow the default, then resume LinkedIn (${DOCS.versioning})`,
    });
  }
  if (res.status === 403) {
    return rejected({ ...facts, code: 'linkedin.forbidden', message: `${said}; the token lacks the permission (w_member_social / w_organization_social and a page role for organizations)` });
  }
  if (res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400)) {
    return serverError(res, { platform: 'linkedin', phase: ctx.step === 'post' || ctx.step === 'comment' ? 'write' : 'prepare', message: said, ...facts });
  }
  // A post whose image, document or video LinkedIn is still processing is refused [S 2026]:
  // nothing was created, and the same post succeeds once the media is AVAILABLE.
  if (ctx.step === 'post' && (res.status === 422 || res.status === 400) && /still processing|not AVAILABLE|PROCESSING/.test(err.message ?? '')) {
    return transient({ ...facts, code: 'linkedin.media_processing', message: `${said}; trying again once LinkedIn has processed the media` });
  }
  if (duplicateOf(res).found) {
    return rejected({ ...facts, platformCode: 'DUPLICATE_POST', code: 'linkedin.duplicate_post', message: said });
  }
  if (res.status === 404) return rejected({ ...facts, code: 'linkedin.not_found', message: said });
  return rejected({ ...facts, code: 'linkedin.invalid_request', message: said });
}
