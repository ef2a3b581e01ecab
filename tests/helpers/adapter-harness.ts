/**
 * An in-memory PublishContext for adapter tests: the real adapter code runs against its
 * simulator over HTTP; progress and armed writes are kept here the way the worker would
 * persist them, so tests can simulate a crash by starting a second run with the saved state.
 */
import pino from 'pino';
import { AdapterError } from '../../src/platform/errors.ts';
import { createPlatformHttp } from '../../src/platform/http.ts';
import type { MediaSource } from '../../src/platform/media.ts';
import type {
  Credentials, MediaRef, PlatformAdapter, PublishContext, PublishInput, PublishOutcome, RefreshContext,
} from '../../src/platform/port.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface HarnessState {
  progress: Record<string, unknown>;
  armed: string | undefined;
  /** Every armWrite label, in order, with the time it was armed. */
  arms: { label: string; at: number }[];
}

export interface HarnessOptions {
  platform: string;
  baseUrl: string;
  credentials: Credentials;
  settings?: { clientId?: string; clientSecret?: string; extra?: Record<string, string> };
  media?: MediaSource[];
  state?: HarnessState;
  timeoutMs?: number;
  signal?: AbortSignal;
  previousAttemptAmbiguous?: boolean;
}

export function newState(): HarnessState {
  return { progress: {}, armed: undefined, arms: [] };
}

export function makeContext(o: HarnessOptions): { ctx: PublishContext; state: HarnessState } {
  const state = o.state ?? newState();
  const signal = o.signal ?? new AbortController().signal;
  const ctx: PublishContext = {
    credentials: o.credentials,
    http: createPlatformHttp({ platform: o.platform, baseUrlOverride: o.baseUrl, timeoutMs: o.timeoutMs ?? 5_000, signal }),
    settings: { clientId: o.settings?.clientId, clientSecret: o.settings?.clientSecret, extra: o.settings?.extra ?? {} },
    async openMedia(ref: MediaRef) {
      const m = o.media?.[ref.index];
      if (!m) throw new Error(`test media ${ref.index} missing`);
      return m;
    },
    progress: state.progress,
    previousAttemptAmbiguous: o.previousAttemptAmbiguous ?? false,
    async saveProgress(patch) {
      Object.assign(state.progress, patch);
      state.armed = undefined;
    },
    async armWrite(label) {
      state.armed = label;
      state.arms.push({ label, at: Date.now() });
    },
    wait: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
    signal,
    log: silentLog,
  };
  return { ctx, state };
}

export function refreshContext(platform: string, baseUrl: string, settings?: HarnessOptions['settings']): RefreshContext {
  return {
    http: createPlatformHttp({ platform, baseUrlOverride: baseUrl, timeoutMs: 5_000 }),
    settings: { clientId: settings?.clientId, clientSecret: settings?.clientSecret, extra: settings?.extra ?? {} },
    signal: new AbortController().signal,
    log: silentLog,
  };
}

export function input(partial: Partial<PublishInput> & { account: PublishInput['account'] }): PublishInput {
  return {
    deliveryId: partial.deliveryId ?? `dlv_test_${Math.random().toString(36).slice(2)}`,
    postId: partial.postId ?? 'pst_test',
    text: partial.text ?? 'hello from Herald',
    media: partial.media ?? [],
    options: partial.options ?? {},
    account: partial.account,
    scheduledAt: partial.scheduledAt ?? new Date().toISOString(),
  };
}

/** Run publish until it stops saying `processing` (the worker would reschedule instead). */
export async function publishToEnd(adapter: PlatformAdapter, inp: PublishInput, ctx: PublishContext, maxRounds = 50): Promise<PublishOutcome> {
  for (let i = 0; i < maxRounds; i++) {
    const out = await adapter.publish(inp, ctx);
    if (out.status !== 'processing') return out;
  }
  throw new Error('adapter kept answering processing');
}

/** The AdapterError a publish (or any adapter call) fails with; fails the test otherwise. */
export async function caught(p: Promise<unknown>): Promise<AdapterError> {
  try {
    await p;
  } catch (err) {
    if (AdapterError.is(err)) return err;
    throw err;
  }
  throw new Error('expected an AdapterError');
}
