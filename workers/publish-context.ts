/**
 * The PublishContext and PublishInput an adapter is given, built in one place for the
 * publish worker (run-delivery.ts) and the adapter tests (tests/helpers/adapter-harness.ts):
 * options and saved progress are parsed here with the adapter's own schemas, so adapters
 * never re-parse them and a saved shape an adapter can no longer read is one worker rule.
 */
import type { Logger } from 'pino';
import { AdapterError } from '../src/platform/errors.ts';
import type { PlatformHttp } from '../src/platform/http.ts';
import type { MediaSource } from '../src/platform/media.ts';
import { optionIssues } from '../src/platform/define.ts';
import type { Credentials, MediaRef, PlatformAdapter, PlatformSettings, PublishContext, PublishInput } from '../src/platform/port.ts';

/** Where a run's progress and armed marker are kept (Redis in the worker, memory in tests). */
export interface ProgressStore {
  /** Merge `patch` into the saved progress and clear the armed marker, durably. */
  save(patch: Record<string, unknown>): Promise<void>;
  /** Record that a non-idempotent write is about to be sent; throws if the run lost its claim. */
  arm(label: string): Promise<void>;
  /** Clear the armed marker (the armed write was refused definitively). */
  disarm(): Promise<void>;
}

export interface ContextParts {
  adapter: PlatformAdapter;
  credentials: Credentials;
  http: PlatformHttp;
  settings: PlatformSettings;
  openMedia(ref: MediaRef): Promise<MediaSource>;
  /** Progress as stored by earlier attempts (unparsed). */
  savedProgress: Record<string, unknown> | undefined;
  previousAttemptAmbiguous: boolean;
  store: ProgressStore;
  signal: AbortSignal;
  log: Logger;
  /** Longest in-process wait an adapter may ask for. */
  maxWaitMs: number;
  /** The account's API origin (per-account-origin platforms). */
  origin?: string;
  /** Herald's app-level token for the adapter's app (adapters with `appToken`). */
  appToken?: (o?: { invalid?: string }) => Promise<string>;
}

/** Saved progress the adapter's schema rejects: guessing could start a second upload or re-send a write. */
export function progressUnreadable(adapter: PlatformAdapter, detail: string): AdapterError {
  return new AdapterError({
    kind: 'unknown', code: 'progress_unreadable',
    message: `the saved progress of this ${adapter.manifest.displayName} delivery cannot be read by this version of Herald (${detail}); check the account before retrying or resolving it`,
  });
}

/** Throws AdapterError `progress_unreadable` (kind unknown) when the saved progress does not parse. */
export function buildPublishContext<P = unknown>(o: ContextParts): PublishContext<P> {
  const parsed = o.adapter.progress.safeParse(o.savedProgress ?? {});
  if (!parsed.success) {
    throw progressUnreadable(o.adapter, parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const progress = parsed.data as Record<string, unknown>;
  return {
    credentials: o.credentials,
    http: o.http,
    settings: o.settings,
    openMedia: o.openMedia,
    progress: progress as P,
    previousAttemptAmbiguous: o.previousAttemptAmbiguous,
    saveProgress: async (patch) => {
      Object.assign(progress, patch);
      await o.store.save(patch as Record<string, unknown>);
    },
    disarm: () => o.store.disarm(),
    armWrite: (label) => o.store.arm(label),
    wait: (ms) => abortableWait(Math.min(ms, o.maxWaitMs), o.signal),
    signal: o.signal,
    log: o.log,
    ...(o.origin ? { origin: o.origin } : {}),
    ...(o.appToken ? { appToken: o.appToken } : {}),
  };
}

/** A wait that ends early (rejecting) on abort and leaves no listener behind either way. */
export function abortableWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The target's options parsed with the adapter's schema (accept time used the same one). */
export function buildPublishInput<O = unknown>(adapter: PlatformAdapter, raw: PublishInput<unknown>): PublishInput<O> {
  const checked = optionIssues(adapter.manifest.options, raw.options);
  if (!checked.ok) {
    throw new AdapterError({
      kind: 'rejected', code: 'invalid_options',
      message: `the ${adapter.manifest.displayName} options no longer pass this version's checks: ${checked.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    });
  }
  return { ...raw, options: checked.options as O };
}
