/**
 * One run of one delivery: checks, atomic claim, reconcile of an armed write left by a
 * dead run, token freshness, the adapter call, and the outcome (decided in outcome.ts).
 * Never publishes twice: a write is armed durably before it is sent, and a run that finds
 * an armed write it did not send asks the platform (lookup) or goes to `unknown`.
 */
import type { Logger } from 'pino';
import { CLAIMABLE, withHistory, type Delivery, type DeliveryEvents } from '../src/domain/delivery.ts';
import { AdapterError } from '../src/platform/errors.ts';
import { AppConfigError } from '../src/platform/oauth2-errors.ts';
import type { Credentials, PlatformAdapter, PublishContext, PublishInput, PublishOutcome } from '../src/platform/port.ts';
import { buildPublishContext, buildPublishInput, type ProgressStore } from './publish-context.ts';
import type { MediaSource } from '../src/platform/media.ts';
import type { PlatformRuntime } from '../src/platform/runtime.ts';
import type { Account } from '../src/store/accounts.ts';
import { randomToken } from '../src/store/crypto.ts';
import type { Store } from '../src/store/index.ts';
import type { Post } from '../src/store/posts.ts';
import { decideAbsent, decideError, decideSuccess, DONE, type Decision, type OutcomeContext, type RunResult } from './outcome.ts';
import type { MediaOpener } from './media-opener.ts';
import type { TokenRefresher } from './token-refresh.ts';
import { accountPlatform, appTokenAccess } from './platform-context.ts';

export interface RunDeps {
  store: Store;
  runtime: PlatformRuntime;
  refresher: TokenRefresher;
  media: MediaOpener;
  log: Logger;
  maxAttempts: number;
  events: DeliveryEvents;
  /** True once shutdown began: runs that have not armed a write hand the delivery back. */
  stopping(): boolean;
  /** Marks the account reauth_required (and tells whoever listens). */
  onReauth(account: Account, reason: string): Promise<void>;
  /**
   * Herald's configuration for the platform is refused (app credentials, a sunset API version):
   * pause the platform with the operator-facing reason. The same hook the token refresher uses.
   */
  onAppConfigError(platform: Account['platform'], reason: string): Promise<void>;
  /** Longest in-process wait an adapter may ask for; longer waits become `processing`. */
  maxWaitMs?: number;
}

export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
}
class HandBackError extends Error {
  override readonly name = 'HandBackError';
}

function buildInput(d: Delivery, post: Post, account: Account): PublishInput<unknown> {
  const target = post.targets.find((t) => t.deliveryId === d.id);
  const media = target?.media ?? post.media;
  return {
    deliveryId: d.id,
    postId: post.id,
    text: target?.text ?? post.text,
    media: media.map((m, index) => ({ index, ...m })),
    options: target?.options ?? {},
    account: { id: account.id, externalId: account.externalId, ...(account.handle ? { handle: account.handle } : {}), settings: account.settings },
    scheduledAt: d.scheduledAt,
  };
}

export async function runDelivery(deps: RunDeps, deliveryId: string, signal: AbortSignal): Promise<RunResult> {
  const { store, log } = deps;
  const d = await store.deliveries.get(deliveryId);
  if (!d) return DONE;
  const adapter = deps.runtime.adapter(d.platform);
  const reconciling = d.status === 'unknown' && d.armed !== undefined && adapter?.lookup !== undefined && d.nextAttemptAt !== undefined;
  if (!CLAIMABLE.has(d.status) && !reconciling) return DONE;

  // The latest record this run knows, so most updates need no extra read.
  let latest: Delivery | undefined = d;
  const update = async (mutate: Decision['mutate']) => {
    const res = await store.deliveries.update(deliveryId, mutate, latest);
    latest = res?.delivery;
    if (res?.changed) deps.events.changed(res.delivery);
    return res?.delivery;
  };
  const finish = async (decision: Decision) => {
    const after = await update(decision.mutate);
    return after ? decision.result(after) : DONE;
  };

  // One round trip for everything the run reads (auto-pipelined).
  const [post, withCreds, platformBlock] = await Promise.all([
    store.posts.get(d.postId), store.accounts.getWithCredentials(d.accountId), store.platformBlockedUntil(d.platform),
  ]);
  const account = withCreds?.account;
  const gone = !adapter ? { code: 'platform_not_available', why: `the ${d.platform} adapter is not enabled` }
    : !post ? { code: 'post_missing', why: 'the post is gone' }
    : !account ? { code: 'account_deleted', why: 'the account was disconnected' }
    : account.status === 'reauth_required' && !reconciling
      ? { code: 'auth_expired', why: `the ${account.platform} account needs to be reconnected (${account.reauthReason ?? 'token expired'})` }
      : undefined;
  if (gone) {
    await update((x, now) => {
      if (!CLAIMABLE.has(x.status)) return undefined;
      if (x.armed) {
        // A dead run's write may have landed and nothing here can check it: an admin decides.
        const message = `a previous run sent "${x.armed.label}" and its outcome cannot be checked: ${gone.why}; check the platform, then resolve this delivery`;
        x.status = 'unknown';
        x.ambiguous = true;
        x.error = { code: gone.code, message, retryable: false };
        delete x.claim;
        delete x.nextAttemptAt;
        x.history = withHistory(x, { event: 'outcome_unknown', status: 'unknown', code: gone.code, message }, now);
        return x;
      }
      const message = gone.code === 'auth_expired' ? `${gone.why}; retry after reconnecting` : gone.why;
      x.status = 'failed';
      x.error = { code: gone.code, message, retryable: gone.code === 'platform_not_available' || gone.code === 'auth_expired' };
      delete x.claim;
      x.history = withHistory(x, { event: 'failed', status: 'failed', code: gone.code, message }, now);
      return x;
    });
    return DONE;
  }
  if (!adapter || !post || !account) return DONE;
  const blockedUntil = Math.max(account.blockedUntil ?? 0, platformBlock);
  if (blockedUntil > Date.now() && !d.armed) {
    await update((x, now) => {
      if (!CLAIMABLE.has(x.status)) return undefined;
      x.status = 'retrying';
      x.nextAttemptAt = new Date(blockedUntil).toISOString();
      x.history = withHistory(x, { event: 'waiting_for_rate_limit', status: 'retrying', message: `platform limit window ends ${x.nextAttemptAt}` }, now);
      return x;
    });
    return { kind: 'delay', until: blockedUntil };
  }

  // Not yet due (the post was rescheduled later and the job has not moved yet) or being edited: come back.
  const holdUntil = Math.max(d.editLock ?? 0, d.status === 'scheduled' || d.status === 'queued' ? Date.parse(d.scheduledAt) : 0);
  if (holdUntil > Date.now() + 50) return { kind: 'delay', until: Math.min(holdUntil, Date.now() + (d.editLock ? 1_000 : Infinity)) };

  // Atomic claim: from here on, only this run may arm a write. It re-checks what this run
  // read first: an edit (post version) or a reschedule since then means the run starts over.
  const claimToken = randomToken(12);
  let stale = false;
  const claimed = await update((x, now) => {
    if (!CLAIMABLE.has(x.status) && !(x.status === 'unknown' && x.armed)) return undefined;
    if ((x.editLock ?? 0) > now.getTime()) return undefined;
    if ((x.postV ?? 0) !== post.v || x.scheduledAt !== d.scheduledAt) {
      stale = true;
      return undefined;
    }
    x.status = 'publishing';
    x.claim = { token: claimToken, at: now.toISOString() };
    x.history = withHistory(x, { event: x.armed ? 'reconcile_started' : 'attempt_started', status: 'publishing', attempt: x.attempts + 1 }, now);
    return x;
  });
  if (!claimed || claimed.claim?.token !== claimToken) {
    // Edited or rescheduled since the first read: run again on the current post and time.
    if (stale) return { kind: 'delay', until: Date.now() };
    const fresh = await store.deliveries.get(deliveryId);
    // Held by an edit that started between our read and the claim: retry shortly.
    return fresh && (fresh.editLock ?? 0) > Date.now() ? { kind: 'delay', until: Date.now() + 1_000 } : DONE;
  }
  /** Every later write of this run is fenced by its claim: a run that lost it changes nothing. */
  const fenced = (mutate: Decision['mutate']) => update((x, now) => {
    if (x.claim?.token !== claimToken) throw new ClaimLostError(`delivery ${x.id} was claimed by another run`);
    return mutate(x, now);
  });

  const outcomeCtx: OutcomeContext = { maxAttempts: deps.maxAttempts, hasLookup: adapter.lookup !== undefined, claimToken, publishAttempted: false };
  const opened: MediaSource[] = [];
  let credentials = withCreds!.credentials;
  const progressStore: ProgressStore = {
    save: async (patch) => {
      await fenced((x) => {
        x.progress = { ...(x.progress ?? {}), ...patch };
        // Progress saved while a write is armed is that write's result: it landed.
        if (x.armed && Object.keys(patch).length > 0) x.written = true;
        delete x.armed;
        return x;
      });
    },
    disarm: async () => {
      await fenced((x) => {
        if (!x.armed) return undefined;
        delete x.armed;
        return x;
      });
    },
    arm: async (label) => {
      if (deps.stopping()) throw new HandBackError('shutting down');
      await fenced((x, now) => {
        x.armed = { label, token: claimToken, at: now.toISOString() };
        return x;
      });
    },
  };

  try {
    // Options and saved progress are parsed here, with the adapter's schemas; progress this
    // version cannot read is `unknown` (progress_unreadable), never a silent fresh start.
    const input = buildPublishInput(adapter, buildInput(claimed, post, account));
    // Per-account origin and the instance's app; the app-level token Herald owns.
    const where = await accountPlatform(store, deps.runtime, account);
    const appToken = appTokenAccess(deps, adapter, where, signal);
    const ctx = buildPublishContext({
      adapter,
      credentials,
      http: deps.runtime.http(d.platform, signal, undefined, where.origin),
      ...(where.origin ? { origin: where.origin } : {}),
      ...(appToken ? { appToken } : {}),
      settings: deps.runtime.settings(d.platform),
      openMedia: async (ref) => {
        const src = await deps.media.open(ref, post, adapter.manifest, signal);
        opened.push(src);
        return src;
      },
      savedProgress: claimed.progress,
      previousAttemptAmbiguous: claimed.ambiguous === true || claimed.armed !== undefined,
      store: progressStore,
      signal,
      log: log.child({ deliveryId: d.id, platform: d.platform }),
      maxWaitMs: deps.maxWaitMs ?? 30_000,
    });
    // A write armed by a run that died: ask the platform before anything else.
    if (claimed.armed) {
      const fresh = await deps.refresher.ensureFresh(account, adapter, credentials);
      ctx.credentials = credentials = fresh.credentials;
      const verdict = await reconcile(adapter, input, ctx, claimed.armed);
      if (verdict === 'absent') {
        return await finish(decideAbsent({ ...outcomeCtx, label: claimed.armed.label, countAttempt: d.status === 'publishing' }));
      }
      if (verdict) return await finish(decideError(verdict, outcomeCtx));
      // Landed: the lookup saved what publish needs to finish without writing again.
      await fenced((x) => {
        delete x.armed;
        return x;
      });
    }
    outcomeCtx.publishAttempted = true;
    const outcome = await publishWithAuth(deps, adapter, account, input, ctx, credentials, (c) => (credentials = c));
    return await finish(decideSuccess(outcome, outcomeCtx));
  } catch (err) {
    if (err instanceof ClaimLostError) {
      log.warn({ deliveryId: d.id }, 'run lost its claim to another run; stopping without writing');
      return DONE;
    }
    if (err instanceof HandBackError) {
      await update((x, now) => {
        if (x.claim?.token !== claimToken) return undefined;
        x.status = 'queued';
        delete x.claim;
        x.history = withHistory(x, { event: 'handed_back', status: 'queued', message: 'worker shutting down before the write' }, now);
        return x;
      });
      return { kind: 'delay', until: Date.now() + 1_000 };
    }
    const current = await store.deliveries.get(deliveryId);
    let e = err;
    if (!outcomeCtx.publishAttempted && claimed.armed) {
      // Checking an earlier run's armed write failed (lookup error, token, rate limit): its
      // outcome is still unknown, whatever this error says. Keep it armed; check again later.
      e = new AdapterError({
        kind: 'unknown', code: 'write_outcome_unknown',
        message: `could not check whether the earlier "${claimed.armed.label}" write was published: ${(err as Error)?.message ?? String(err)}`, cause: err,
      });
    } else if (!AdapterError.is(err) && current?.armed?.token === claimToken) {
      // An unexpected error while this run's write is armed may have followed the write: ambiguous.
      e = new AdapterError({ kind: 'unknown', code: 'internal_error_after_write', message: `Herald failed after sending the write: ${(err as Error).message}`, cause: err });
    }
    if (!AdapterError.is(e)) log.error({ err, deliveryId: d.id }, 'unexpected error in publish run');
    const decision = decideError(e, outcomeCtx);
    if (decision.reauth) await deps.onReauth(account, decision.reauth);
    if (AppConfigError.isAppConfig(e)) await deps.onAppConfigError(d.platform, e.message);
    if (decision.block) {
      if (decision.block.scope === 'platform') await store.blockPlatform(d.platform, decision.block.until);
      else await store.accounts.blockUntil(account.id, decision.block.until);
    }
    return await finish(decision);
  } finally {
    for (const src of opened) src.cleanup?.();
  }
}

/**
 * Settles an armed write: undefined when it landed (publish then finishes from the saved
 * progress), 'absent' when the platform proves it did not happen, or the error to record.
 */
async function reconcile(adapter: PlatformAdapter, input: PublishInput, ctx: PublishContext, armed: { label: string; at: string }): Promise<AdapterError | 'absent' | undefined> {
  if (!adapter.lookup) {
    return new AdapterError({ kind: 'unknown', code: 'write_outcome_unknown', message: `a previous run stopped after sending "${armed.label}" to ${adapter.manifest.displayName}; it may have been published` });
  }
  const r = await adapter.lookup(input, ctx, { label: armed.label, at: armed.at });
  if (r.status === 'inconclusive') return new AdapterError({ kind: 'unknown', code: 'write_outcome_unknown', message: r.message });
  return r.status === 'absent' ? 'absent' : undefined;
}

async function publishWithAuth(
  deps: RunDeps, adapter: PlatformAdapter, account: Account, input: PublishInput, ctx: PublishContext,
  initial: Credentials, setCreds: (c: Credentials) => void,
): Promise<PublishOutcome> {
  const fresh = await deps.refresher.ensureFresh(account, adapter, initial);
  ctx.credentials = fresh.credentials;
  setCreds(fresh.credentials);
  try {
    return await adapter.publish(input, ctx);
  } catch (err) {
    if (!AdapterError.is(err) || err.kind !== 'auth' || !err.refreshable) throw err;
    // One refresh, then one more try; a second auth failure ends in reauth.
    const again = await deps.refresher.ensureFresh(account, adapter, ctx.credentials, ctx.credentials.accessToken);
    ctx.credentials = again.credentials;
    setCreds(again.credentials);
    try {
      return await adapter.publish(input, ctx);
    } catch (err2) {
      if (AdapterError.is(err2) && err2.kind === 'auth') {
        throw new AdapterError({ kind: 'auth', code: err2.code, message: `${err2.message} (still rejected after a token refresh)`, refreshable: false, cause: err2 });
      }
      throw err2;
    }
  }
}
