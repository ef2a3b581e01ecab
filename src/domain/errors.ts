/**
 * Every error the services and the API answer with is one row of data: a stable code,
 * an HTTP status and a meaning. It lives with the domain (which throws most of them) so
 * that domain code never imports the API layer. The table is served in /openapi.json as
 * `x-error-codes`; ApiError accepts only these codes, so a code missing here is a type error.
 */
export const API_ERRORS = {
  invalid_request: { status: 400, meaning: 'The body, query, params or a header does not match the schema; details name each field.' },
  invalid_json: { status: 400, meaning: 'The body is not valid JSON.' },
  unauthorized: { status: 401, meaning: 'Missing or unknown API key (Authorization: Bearer <key>).' },
  admin_only: { status: 403, meaning: 'The route needs the admin key.' },
  creator_only: { status: 403, meaning: 'The route acts for a creator and needs a creator API key, not the admin key.' },
  not_found: { status: 404, meaning: 'No such resource for this API key (other creators\' resources are not found either).' },
  request_timeout: { status: 408, meaning: 'The request did not arrive in time (headers, or the whole request within the server request timeout).' },
  idempotency_mismatch: { status: 409, meaning: 'This Idempotency-Key was used with a different body in the last 24 hours.' },
  idempotency_in_progress: { status: 409, meaning: 'A request with this Idempotency-Key is still being processed.' },
  conflict: { status: 409, meaning: 'The resource is in a state that does not allow this change (e.g. a delivery is publishing).' },
  payload_too_large: { status: 413, meaning: 'The body exceeds the configured size limit.' },
  uri_too_long: { status: 414, meaning: 'A path parameter is longer than any id Herald issues.' },
  unsupported_media_type: { status: 415, meaning: 'Content-Type is not supported by this route.' },
  validation_failed: { status: 422, meaning: 'The post (a JSON object) breaks the post schema or a rule of one or more target platforms; details list every issue. Nothing was stored.' },
  platform_not_available: { status: 422, meaning: 'The platform is not enabled on this Herald or lacks OAuth app credentials.' },
  rate_limited: { status: 429, meaning: 'Too many requests of this kind; Retry-After says when to ask again.' },
  headers_too_large: { status: 431, meaning: 'The request headers are larger than the server accepts.' },
  internal_error: { status: 500, meaning: 'Herald failed; the message is hidden, the requestId finds it in the logs.' },
  not_ready: { status: 503, meaning: 'Redis is unreachable.' },
  insufficient_storage: { status: 507, meaning: 'The server is low on disk space for media (MEDIA_MIN_FREE_BYTES); uploads are refused until space is freed.' },
  media_quota_exceeded: { status: 507, meaning: 'The upload would take the creator\'s media past MEDIA_QUOTA_BYTES.' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(readonly code: ApiErrorCode, message: string, readonly details?: unknown[]) {
    super(message);
    this.status = API_ERRORS[code].status;
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
