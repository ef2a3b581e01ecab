/** The one mapping from adapter outcomes to delivery state and queue behaviour. */
import { describe, expect, it } from 'vitest';
import { backoffMs, canTransition, derivePostStatus, type Delivery } from '../../src/domain/delivery.ts';
import { AdapterError } from '../../src/platform/errors.ts';
import { decideAbsent, decideError, decideSuccess, RECONCILE_DELAYS_MS } from '../../workers/outcome.ts';

const TOKEN = 'claim-1';
function delivery(over: Partial<Delivery> = {}): Delivery {
  const now = new Date().toISOString();
  return {
    v: 1, id: 'dlv_x', postId: 'pst_x', creatorId: 'crt_x', accountId: 'acc_x', platform: 'x', status: 'publishing', attempts: 0,
    scheduledAt: now, createdAt: now, updatedAt: now, history: [], claim: { token: TOKEN, at: now }, ...over,
  };
}
const ctx = { maxAttempts: 3, hasLookup: true, claimToken: TOKEN };
const err = (kind: AdapterError['kind'], extra: Partial<ConstructorParameters<typeof AdapterError>[0]> = {}) =>
  new AdapterError({ kind, code: `x.${kind}`, message: kind, ...extra });
const apply = (decision: ReturnType<typeof decideError>, d = delivery()) => {
  const after = decision.mutate(structuredClone(d), new Date());
  return { after: after!, result: decision.result(after ?? d) };
};

describe('decideError', () => {
  it('rate_limited: retrying until the reset, no attempt spent, block recorded', () => {
    const retryAt = new Date(Date.now() + 60_000);
    const decision = decideError(err('rate_limited', { retryAt, scope: 'platform' }), ctx);
    const { after, result } = apply(decision);
    expect(after.status).toBe('retrying');
    expect(after.attempts).toBe(0);
    expect(after.nextAttemptAt).toBe(retryAt.toISOString());
    expect(result).toEqual({ kind: 'delay', until: retryAt.getTime() });
    expect(decision.block).toEqual({ scope: 'platform', until: retryAt.getTime() });
  });

  it('transient: backoff, then failed (retryable) when attempts are spent, counting from the last manual retry', () => {
    const first = apply(decideError(err('transient'), ctx));
    expect(first.after).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(first.result.kind).toBe('delay');
    const last = apply(decideError(err('transient'), ctx), delivery({ attempts: 2 }));
    expect(last.after).toMatchObject({ status: 'failed', attempts: 3, error: { retryable: true } });
    expect(last.result.kind).toBe('done');
    const afterRetry = apply(decideError(err('transient'), ctx), delivery({ attempts: 4, attemptBase: 3 }));
    expect(afterRetry.after.status).toBe('retrying');
  });

  it('auth: failed auth_expired (retryable after reconnecting) and asks for reauth', () => {
    const decision = decideError(err('auth', { refreshable: false }), ctx);
    expect(decision.reauth).toBe('auth');
    expect(apply(decision).after).toMatchObject({ status: 'failed', error: { code: 'auth_expired', retryable: true } });
  });

  it('rejected: failed, not retryable, armed write cleared', () => {
    const { after } = apply(decideError(err('rejected'), ctx), delivery({ armed: { label: 'tweet:0', token: TOKEN, at: '' } }));
    expect(after).toMatchObject({ status: 'failed', error: { retryable: false } });
    expect(after.armed).toBeUndefined();
  });

  it("keeps the platform's raw reason in history beside Herald's code", () => {
    const { after } = apply(decideError(new AdapterError({ kind: 'rejected', code: 'linkedin.duplicate_post', message: 'dup', platformStatus: 422, platformCode: 'DUPLICATE_POST' }), ctx));
    expect(after.history.at(-1)).toMatchObject({ code: 'linkedin.duplicate_post', platformStatus: 422, platformCode: 'DUPLICATE_POST' });
  });

  it('unknown: reconciles on a schedule, a bounded number of times, then waits for an admin', () => {
    let d = delivery({ armed: { label: 'tweet:0', token: TOKEN, at: '' } });
    for (let i = 0; i < RECONCILE_DELAYS_MS.length; i++) {
      // The first unknown follows a publish; the reconcile runs after it only look the write up.
      const { after, result } = apply(decideError(err('unknown'), { ...ctx, publishAttempted: i === 0 }), d);
      expect(after.status).toBe('unknown');
      expect(result.kind).toBe('delay');
      // The next reconcile run claims it again.
      d = { ...after, status: 'publishing', claim: { token: TOKEN, at: '' } };
    }
    const { after, result } = apply(decideError(err('unknown'), { ...ctx, publishAttempted: false }), d);
    expect(after.nextAttemptAt).toBeUndefined();
    expect(result.kind).toBe('done');
    expect(after.attempts).toBe(1);
    expect(after.ambiguous).toBe(true);
  });

  it('absent: the write was proved not to happen, an ordinary failed attempt (backoff, then failed retryable)', () => {
    const armed = { label: 'tweet:0', token: 'old', at: '' };
    const absent = (over: Partial<Delivery>, countAttempt = false) =>
      apply(decideAbsent({ ...ctx, label: 'tweet:0', countAttempt }), delivery({ armed, ambiguous: true, reconciles: 1, ...over }));
    const first = absent({ attempts: 1 });
    expect(first.after).toMatchObject({ status: 'retrying', attempts: 1, error: { code: 'write_not_published', retryable: true } });
    expect(first.after.armed).toBeUndefined();
    expect(first.after.ambiguous).toBeUndefined();
    expect(first.after.reconciles).toBeUndefined();
    expect(first.result.kind).toBe('delay');
    const dead = absent({ attempts: 0 }, true);
    expect(dead.after.attempts).toBe(1);
    const spent = absent({ attempts: 3 });
    expect(spent.after).toMatchObject({ status: 'failed', error: { code: 'write_not_published', retryable: true } });
    expect(spent.result.kind).toBe('done');
    expect(decideAbsent({ ...ctx, label: 'tweet:0', countAttempt: false }).mutate(delivery({ claim: { token: 'other', at: '' } }), new Date())).toBeUndefined();
  });

  it('unknown without a lookup goes straight to an admin', () => {
    const { after, result } = apply(decideError(err('unknown'), { ...ctx, hasLookup: false }), delivery({ armed: { label: 'w', token: TOKEN, at: '' } }));
    expect(after.status).toBe('unknown');
    expect(result.kind).toBe('done');
  });

  it('a run that lost its claim records nothing but a published result', () => {
    const stolen = delivery({ claim: { token: 'other', at: '' } });
    expect(decideError(err('transient'), ctx).mutate(structuredClone(stolen), new Date())).toBeUndefined();
    const pub = decideSuccess({ status: 'published', receipt: { platformPostId: '1', url: 'https://x.com/a/status/1' } }, ctx).mutate(structuredClone(stolen), new Date());
    expect(pub?.status).toBe('published');
  });

  it('non-adapter errors count as transient', () => {
    expect(apply(decideError(new Error('boom'), ctx)).after).toMatchObject({ status: 'retrying', error: { code: 'internal_error' } });
  });
});

describe('state machine and derived status', () => {
  it('never leaves published or canceled', () => {
    for (const to of ['queued', 'publishing', 'failed', 'unknown'] as const) {
      expect(canTransition('published', to)).toBe(false);
      expect(canTransition('canceled', to)).toBe(false);
    }
    expect(canTransition('failed', 'queued')).toBe(true);
    expect(canTransition('unknown', 'published')).toBe(true);
  });

  it('derives post status', () => {
    const s = (...st: Delivery['status'][]) => derivePostStatus(st.map((status) => ({ status })));
    expect(s('scheduled', 'scheduled')).toBe('scheduled');
    expect(s('published', 'scheduled')).toBe('publishing');
    expect(s('published', 'published')).toBe('published');
    expect(s('published', 'failed')).toBe('partial');
    expect(s('failed', 'unknown')).toBe('failed');
    expect(s('canceled', 'published')).toBe('published');
    expect(s('canceled')).toBe('canceled');
    expect(s('awaiting_action', 'published')).toBe('publishing');
  });

  it('backs off exponentially within bounds', () => {
    expect(backoffMs(1, () => 0.5)).toBe(5_000);
    expect(backoffMs(3, () => 0.5)).toBe(20_000);
    expect(backoffMs(30, () => 0.5)).toBe(15 * 60_000);
  });
});
