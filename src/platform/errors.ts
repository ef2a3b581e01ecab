/**
 * The one vocabulary adapters use to say what went wrong. The publish worker maps
 * each kind to queue behaviour in exactly one place (workers/outcome.ts).
 *
 * - rate_limited: the platform said "not now"; wait until `retryAt`, no attempt spent.
 * - transient:    failed before the write could have happened; back off and retry.
 * - auth:         token problem; `refreshable` → refresh once and retry, else reauth.
 * - rejected:     the platform answered the write with a definitive refusal; never retried.
 * - unknown:      the write may have happened (timeout / 5xx / socket closed after sending).
 */
export type AdapterErrorKind = 'rate_limited' | 'transient' | 'auth' | 'rejected' | 'unknown';

export interface AdapterErrorInit {
  kind: AdapterErrorKind;
  /** Stable Herald code, e.g. "x.duplicate_content", "linkedin.rate_limited". */
  code: string;
  message: string;
  /** rate_limited: when to try again. */
  retryAt?: Date;
  /** rate_limited: does the block apply to the account or to the whole platform app? */
  scope?: 'account' | 'platform';
  /** auth: may a token refresh fix it? */
  refreshable?: boolean;
  platformStatus?: number;
  platformCode?: string;
  cause?: unknown;
}

export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  readonly kind: AdapterErrorKind;
  readonly code: string;
  readonly retryAt?: Date;
  readonly scope: 'account' | 'platform';
  readonly refreshable: boolean;
  readonly platformStatus?: number;
  readonly platformCode?: string;

  constructor(init: AdapterErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.code = init.code;
    if (init.retryAt) this.retryAt = init.retryAt;
    this.scope = init.scope ?? 'account';
    this.refreshable = init.refreshable ?? false;
    if (init.platformStatus !== undefined) this.platformStatus = init.platformStatus;
    if (init.platformCode !== undefined) this.platformCode = init.platformCode;
  }

  /** Recognised by name too, so it survives module duplication and process boundaries. */
  static is(err: unknown): err is AdapterError {
    return err instanceof AdapterError || (err instanceof Error && err.name === 'AdapterError' && 'kind' in err);
  }
}

type Init = Omit<AdapterErrorInit, 'kind'>;
export const rateLimited = (i: Init & { retryAt: Date }) => new AdapterError({ ...i, kind: 'rate_limited' });
export const transient = (i: Init) => new AdapterError({ ...i, kind: 'transient' });
export const authFailed = (i: Init & { refreshable: boolean }) => new AdapterError({ ...i, kind: 'auth' });
export const rejected = (i: Init) => new AdapterError({ ...i, kind: 'rejected' });
export const unknownOutcome = (i: Init) => new AdapterError({ ...i, kind: 'unknown' });

/** Next 00:00 in UTC after `now` (LinkedIn daily windows). */
export function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** Next 00:00 America/Los_Angeles after `now` (YouTube quota reset), DST-aware. */
export function nextPacificMidnight(now = new Date()): Date {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const parts = Object.fromEntries(fmt.formatToParts(now).map((p) => [p.type, p.value]));
  const secondsIntoDay = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  const candidate = new Date(now.getTime() + (86400 - secondsIntoDay) * 1000 - now.getMilliseconds());
  // Across a DST change the day is 23 or 25 h long: snap to the real local midnight.
  const check = Object.fromEntries(fmt.formatToParts(candidate).map((p) => [p.type, p.value]));
  const drift = Number(check.hour) * 3600 + Number(check.minute) * 60 + Number(check.second);
  if (drift === 0) return candidate;
  return new Date(candidate.getTime() + (drift > 43200 ? (86400 - drift) * 1000 : -drift * 1000));
}

/** One row of an adapter's code table (src/platform/codes.ts). */
export interface CodeInfo {
  /** The kind(s) a code is raised with; two when the call's phase decides (see http.ts). */
  kind: AdapterErrorKind | readonly AdapterErrorKind[];
  meaning: string;
}
export type CodeTable = Readonly<Record<string, CodeInfo>>;
