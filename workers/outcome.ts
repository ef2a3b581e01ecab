/**
 * The one place where what happened to a publish attempt becomes delivery state and
 * queue behaviour:
 *   rate_limited → retrying until the platform's reset; no attempt spent; account/platform blocked
 *   transient    → retrying with backoff; failed (retryable) once attempts are spent
 *   auth         → (the runner already refreshed once) failed auth_expired; account reauth_required
 *   rejected     → failed, not retryable
 *   unknown      → unknown; reconciled through the adapter's lookup where it has one
 *   absent       → (a lookup proved the armed write did not happen) an ordinary failed attempt:
 *                  retrying with backoff; failed (retryable) once attempts are spent
 * Every change is fenced by the run's claim, except a real `published` result.
 */
import { backoffMs, withHistory, type Delivery, type DeliveryError, type HistoryEntry } from '../src/domain/delivery.ts';
import { AdapterError } from '../src/platform/errors.ts';
import type { PublishOutcome } from '../src/platform/port.ts';

/** What the job should do next: finish, or come back at `until`. */
export type RunResult = { kind: 'done' } | { kind: 'delay'; until: number };
export const DONE: RunResult = { kind: 'done' };

/** Delays between automatic reconcile lookups after an unknown outcome. */
export const RECONCILE_DELAYS_MS = [5_000, 60_000, 10 * 60_000];

export interface OutcomeContext {
  maxAttempts: number;
  hasLookup: boolean;
  claimToken: string;
  /** False when the run only reconciled (looked the write up) and never called publish. */
  publishAttempted?: boolean;
}

/** A change to the delivery plus the job's next step. `block` is applied to the account or platform. */
export interface Decision {
  mutate: (d: Delivery, now: Date) => Delivery | undefined;
  result: (d: Delivery) => RunResult;
  block?: { scope: 'account' | 'platform'; until: number };
  reauth?: string;
}

function ownsClaim(d: Delivery, token: string): boolean {
  return d.claim?.token === token;
}

/** The platform's own answer, kept in history beside Herald's code: its HTTP status and raw reason. */
type PlatformFacts = Pick<HistoryEntry, 'platformStatus' | 'platformCode'>;

function failWith(d: Delivery, now: Date, error: DeliveryError, facts: PlatformFacts = {}): Delivery {
  d.status = 'failed';
  d.error = error;
  delete d.nextAttemptAt;
  delete d.claim;
  d.history = withHistory(d, { event: 'failed', status: 'failed', attempt: d.attempts, code: error.code, message: error.message, ...facts }, now);
  return d;
}

export function decideSuccess(outcome: PublishOutcome, ctx: OutcomeContext): Decision {
  if (outcome.status === 'published') {
    return {
      mutate: (d, now) => {
        if (d.status === 'published') return undefined;
        // A real result beats any other state this run's claim may have lost to.
        d.status = 'published';
        d.attempts += 1;
        d.platformPostId = outcome.receipt.platformPostId;
        d.url = outcome.receipt.url;
        d.publishedAt = now.toISOString();
        delete d.error;
        delete d.nextAttemptAt;
        delete d.armed;
        delete d.claim;
        delete d.ambiguous;
        d.history = withHistory(d, { event: 'published', status: 'published', attempt: d.attempts, message: outcome.receipt.url }, now);
        return d;
      },
      result: () => DONE,
    };
  }
  if (outcome.status === 'processing') {
    return {
      mutate: (d, now) => {
        if (!ownsClaim(d, ctx.claimToken)) return undefined;
        d.status = 'processing';
        d.nextAttemptAt = new Date(now.getTime() + outcome.checkAfterMs).toISOString();
        delete d.claim;
        d.history = withHistory(d, { event: 'processing', status: 'processing', ...(outcome.note ? { message: outcome.note } : {}) }, now);
        return d;
      },
      result: (d) => ({ kind: 'delay', until: Date.parse(d.nextAttemptAt ?? new Date().toISOString()) }),
    };
  }
  return {
    mutate: (d, now) => {
      if (!ownsClaim(d, ctx.claimToken)) return undefined;
      d.status = 'awaiting_action';
      d.handoff = outcome.handoff;
      delete d.claim;
      d.history = withHistory(d, { event: 'awaiting_action', status: 'awaiting_action', message: outcome.handoff.instructions }, now);
      return d;
    },
    result: () => DONE,
  };
}

export function decideError(err: unknown, ctx: OutcomeContext): Decision {
  const e: AdapterError = AdapterError.is(err)
    ? err
    : new AdapterError({ kind: 'transient', code: 'internal_error', message: `unexpected error: ${(err as Error)?.message ?? String(err)}`, cause: err });
  const facts: PlatformFacts = { ...(e.platformStatus ? { platformStatus: e.platformStatus } : {}), ...(e.platformCode ? { platformCode: e.platformCode } : {}) };

  switch (e.kind) {
    case 'rate_limited': {
      const until = Math.max(e.retryAt?.getTime() ?? Date.now() + 60_000, Date.now() + 1_000);
      return {
        block: { scope: e.scope, until },
        mutate: (d, now) => {
          if (!ownsClaim(d, ctx.claimToken)) return undefined;
          d.status = 'retrying';
          d.nextAttemptAt = new Date(until).toISOString();
          d.error = { code: e.code, message: e.message, retryable: true };
          delete d.claim;
          delete d.armed;
          d.history = withHistory(d, { event: 'rate_limited', status: 'retrying', code: e.code, message: `${e.message}; next attempt ${d.nextAttemptAt}`, ...facts }, now);
          return d;
        },
        result: () => ({ kind: 'delay', until }),
      };
    }
    case 'transient':
      return {
        mutate: (d, now) => {
          if (!ownsClaim(d, ctx.claimToken)) return undefined;
          if (ctx.publishAttempted !== false) d.attempts += 1;
          delete d.armed;
          if (d.attempts - (d.attemptBase ?? 0) >= ctx.maxAttempts) {
            return failWith(d, now, { code: e.code, message: `${e.message} (gave up after ${d.attempts} attempts)`, retryable: true }, facts);
          }
          d.status = 'retrying';
          d.nextAttemptAt = new Date(now.getTime() + backoffMs(d.attempts)).toISOString();
          d.error = { code: e.code, message: e.message, retryable: true };
          delete d.claim;
          d.history = withHistory(d, { event: 'attempt_failed', status: 'retrying', attempt: d.attempts, code: e.code, message: e.message, ...facts }, now);
          return d;
        },
        result: (d) => (d.status === 'retrying' ? { kind: 'delay', until: Date.parse(d.nextAttemptAt!) } : DONE),
      };
    case 'auth':
      return {
        reauth: e.message,
        mutate: (d, now) => {
          if (!ownsClaim(d, ctx.claimToken)) return undefined;
          d.attempts += 1;
          delete d.armed;
          return failWith(d, now, { code: 'auth_expired', message: `${e.message}. Reconnect the account, then retry.`, retryable: true }, facts);
        },
        result: () => DONE,
      };
    case 'rejected':
      return {
        mutate: (d, now) => {
          if (!ownsClaim(d, ctx.claimToken)) return undefined;
          d.attempts += 1;
          delete d.armed;
          return failWith(d, now, { code: e.code, message: e.message, retryable: false }, facts);
        },
        result: () => DONE,
      };
    case 'unknown':
      return {
        mutate: (d, now) => {
          if (!ownsClaim(d, ctx.claimToken)) return undefined;
          if (ctx.publishAttempted !== false) d.attempts += 1;
          const reconciles = d.reconciles ?? 0;
          const willReconcile = ctx.hasLookup && d.armed !== undefined && reconciles < RECONCILE_DELAYS_MS.length;
          d.status = 'unknown';
          d.ambiguous = true;
          d.error = { code: e.code, message: e.message, retryable: false };
          delete d.claim;
          if (willReconcile) {
            d.nextAttemptAt = new Date(now.getTime() + RECONCILE_DELAYS_MS[reconciles]!).toISOString();
            d.reconciles = reconciles + 1;
          } else {
            delete d.nextAttemptAt;
          }
          d.history = withHistory(d, {
            event: 'outcome_unknown', status: 'unknown', attempt: d.attempts, code: e.code,
            message: willReconcile ? `${e.message}; checking the platform at ${d.nextAttemptAt}` : `${e.message}; an admin must resolve it`,
            ...facts,
          }, now);
          return d;
        },
        result: (d) => (d.nextAttemptAt ? { kind: 'delay', until: Date.parse(d.nextAttemptAt) } : DONE),
      };
  }
}

/**
 * A lookup proved that the armed write never happened: the attempt that sent it failed like
 * any other (it was counted when it went to `unknown`, or is counted now when the run that
 * sent it died). Back off and retry, or fail (retryable) once attempts are spent.
 */
export function decideAbsent(ctx: OutcomeContext & { label: string; countAttempt: boolean }): Decision {
  const code = 'write_not_published';
  const message = `the platform shows that the earlier "${ctx.label}" write did not create anything`;
  return {
    mutate: (d, now) => {
      if (!ownsClaim(d, ctx.claimToken)) return undefined;
      if (ctx.countAttempt) d.attempts += 1;
      delete d.armed;
      delete d.ambiguous;
      delete d.reconciles;
      if (d.attempts - (d.attemptBase ?? 0) >= ctx.maxAttempts) {
        return failWith(d, now, { code, message: `${message} (gave up after ${d.attempts} attempts)`, retryable: true });
      }
      d.status = 'retrying';
      d.nextAttemptAt = new Date(now.getTime() + backoffMs(d.attempts)).toISOString();
      d.error = { code, message, retryable: true };
      delete d.claim;
      d.history = withHistory(d, { event: 'attempt_failed', status: 'retrying', attempt: d.attempts, code, message }, now);
      return d;
    },
    result: (d) => (d.status === 'retrying' ? { kind: 'delay', until: Date.parse(d.nextAttemptAt!) } : DONE),
  };
}
