/**
 * Closed, documented delivery error codes. One naming style, lower_snake throughout:
 *  - codes Herald itself records on a delivery (the worker, no platform involved) are bare:
 *    `write_outcome_unknown`, `progress_unreadable`, `auth_expired`;
 *  - codes raised while talking to a platform are `<platform>.<code>`: the platform's own
 *    (`x.duplicate_content`) and those the kit raises for every platform with the same
 *    suffix (`x.network`, `linkedin.server_error`, `youtube.refresh_token_invalid`).
 * The raw platform reason (`DUPLICATE_POST`, `quotaExceeded`) never becomes a code: it is
 * kept in AdapterError.platformCode and in the delivery's history.
 * Each adapter declares its table with `adapterErrors`; its factories accept only those
 * codes (a type error otherwise, and a runtime check); GET /openapi.json lists every table.
 */
import { AdapterError, type AdapterErrorInit, type AdapterErrorKind, type CodeInfo, type CodeTable } from './errors.ts';
import { OAUTH_ERROR_CODES } from './oauth2-errors.ts';
import type { PlatformAdapter, PlatformName } from './port.ts';

export type { CodeInfo, CodeTable };

/** Raised by the transport (src/platform/http.ts) for every platform, as `<platform>.<code>`. */
export const TRANSPORT_CODES = {
  network: { kind: 'transient', meaning: 'the connection failed or timed out before the write could have happened; retried' },
  write_outcome_unknown: { kind: 'unknown', meaning: 'the connection failed after the write was sent; it may have been published, so Herald checks (lookup) or an admin decides' },
  server_error: { kind: ['transient', 'unknown'], meaning: 'the platform answered 5xx: transient before the write, unknown on the write (it may have published)' },
  unexpected_response: { kind: ['transient', 'unknown'], meaning: 'the answer did not have the documented shape: transient before the write, unknown on the write' },
} as const satisfies CodeTable;

/** Recorded by the publish worker itself, without a platform prefix. */
export const DELIVERY_CODES = {
  write_outcome_unknown: { kind: 'unknown', meaning: 'a run stopped after sending a write and the platform cannot tell whether it landed; an admin resolves it' },
  internal_error_after_write: { kind: 'unknown', meaning: 'Herald failed after sending the write; it may have been published' },
  internal_error: { kind: 'transient', meaning: 'Herald failed before the write; retried' },
  progress_unreadable: { kind: 'unknown', meaning: 'the saved progress of the delivery does not match what this version of the adapter reads; never guessed, an admin decides' },
  invalid_options: { kind: 'rejected', meaning: "the target's options no longer pass the platform's options schema (it changed after the post was accepted)" },
  auth_expired: { kind: 'auth', meaning: 'the account must be reconnected; retry after reconnecting' },
  platform_not_available: { kind: 'rejected', meaning: 'the platform adapter is not enabled on this Herald' },
  post_missing: { kind: 'rejected', meaning: 'the post was deleted before the delivery ran' },
  account_deleted: { kind: 'rejected', meaning: 'the account was disconnected before the delivery ran' },
  resolved_not_published: { kind: 'rejected', meaning: 'an admin checked the platform and found nothing published' },
  refresh_lock_timeout: { kind: 'transient', meaning: 'another worker held the token refresh too long; retried' },
  write_not_published: { kind: 'transient', meaning: 'a lookup proved the earlier write created nothing; an ordinary failed attempt, retried with backoff' },
  media_fetch_failed: { kind: 'transient', meaning: 'fetching the media failed (network, timeout, 429/5xx from its host); retried' },
  media_unavailable: { kind: ['transient', 'rejected'], meaning: 'the media URL answered that the file is not there' },
  media_url_not_allowed: { kind: ['transient', 'rejected'], meaning: 'the media URL points at an address Herald may not fetch' },
  media_too_large: { kind: ['transient', 'rejected'], meaning: "the media is larger than the platform's limit for its kind" },
  media_type_not_supported: { kind: ['transient', 'rejected'], meaning: 'the platform does not accept this media type' },
} as const satisfies CodeTable;

type Prefixed<P extends string, T> = `${P}.${keyof T & string}`;
type KitCode<P extends string, OAuth extends boolean> =
  | Prefixed<P, typeof TRANSPORT_CODES>
  | (OAuth extends true ? Prefixed<P, typeof OAUTH_ERROR_CODES> : never);

type Init<C extends string> = Omit<AdapterErrorInit, 'kind' | 'code'> & { code: C };

export interface AdapterErrors<C extends string> {
  /** Every code this adapter may raise: its own, then the kit's under its prefix. */
  codes: Readonly<Record<C, CodeInfo>>;
  rateLimited(i: Init<C> & { retryAt: Date }): AdapterError;
  transient(i: Init<C>): AdapterError;
  authFailed(i: Init<C> & { refreshable: boolean }): AdapterError;
  rejected(i: Init<C>): AdapterError;
  unknownOutcome(i: Init<C>): AdapterError;
}

const kindsOf = (info: CodeInfo): readonly AdapterErrorKind[] => (typeof info.kind === 'string' ? [info.kind] : info.kind);

function prefixed(platform: string, table: CodeTable): Record<string, CodeInfo> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [`${platform}.${k}`, v]));
}

/** Does `table` document `code` with this kind? (The factories and the tests ask.) */
export function documents(table: CodeTable, code: string, kind: AdapterErrorKind): boolean {
  const info = table[code];
  return info !== undefined && kindsOf(info).includes(kind);
}

/**
 * An adapter's code table and the only factories it uses. Own codes are written in full
 * (`'x.duplicate_content'`) and must carry the platform prefix; the kit's are added.
 */
export function adapterErrors<P extends string, T extends CodeTable, OAuth extends boolean = false>(
  platform: P, own: T & { [K in keyof T]: K extends `${P}.${string}` ? CodeInfo : never }, opts: { oauth?: OAuth } = {},
): AdapterErrors<(keyof T & string) | KitCode<P, OAuth>> {
  for (const code of Object.keys(own)) {
    if (!new RegExp(`^${platform}\\.[a-z0-9]+(?:_[a-z0-9]+)*$`).test(code)) throw new Error(`delivery error code "${code}" is not ${platform}.<lower_snake>`);
  }
  const codes: CodeTable = { ...own, ...prefixed(platform, TRANSPORT_CODES), ...(opts.oauth ? prefixed(platform, OAUTH_ERROR_CODES) : {}) };
  const make = (kind: AdapterErrorKind) => (i: Omit<AdapterErrorInit, 'kind'>) => {
    if (!documents(codes, i.code, kind)) throw new Error(`undocumented ${platform} delivery error code "${i.code}" (kind ${kind}): add it to the adapter's code table`);
    return new AdapterError({ ...i, kind });
  };
  return {
    codes: codes as AdapterErrors<(keyof T & string) | KitCode<P, OAuth>>['codes'],
    rateLimited: make('rate_limited'),
    transient: make('transient'),
    authFailed: make('auth'),
    rejected: make('rejected'),
    unknownOutcome: make('unknown'),
  };
}

/** What GET /openapi.json lists as `x-delivery-error-codes`: Herald's own, then each enabled platform's. */
export function deliveryErrorCodes(adapters: ReadonlyMap<PlatformName, PlatformAdapter>): Record<string, CodeTable> {
  const out: Record<string, CodeTable> = { delivery: DELIVERY_CODES };
  for (const [platform, adapter] of adapters) out[platform] = adapter.codes;
  return out;
}

/** Is `code` (raised with `kind`) documented for a delivery on this adapter? */
export function isDocumentedCode(adapter: PlatformAdapter, code: string, kind: AdapterErrorKind): boolean {
  return documents(adapter.codes, code, kind) || documents(DELIVERY_CODES, code, kind);
}
