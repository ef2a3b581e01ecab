/**
 * The worker's PublishContext for adapter tests, kept in memory: the real adapter code runs
 * against its simulator over HTTP; progress and armed writes are kept here the way the worker
 * persists them, so tests can simulate a crash by starting a second run with the saved state.
 */
import pino from 'pino';
import { DELIVERY_CODES, documents, isDocumentedCode } from '../../src/platform/codes.ts';
import { AdapterError } from '../../src/platform/errors.ts';
import { REGISTRY } from '../../adapters/registry.ts';
import { adapterMap } from '../../src/platform/registry.ts';
import { createPlatformHttp } from '../../src/platform/http.ts';
import { buildPublishContext, buildPublishInput } from '../../workers/publish-context.ts';
import type { MediaSource } from '../../src/platform/media.ts';
import type {
  Credentials, MediaRef, PlatformAdapter, PlatformName, PublishContext, PublishInput, PublishOutcome, RefreshContext,
} from '../../src/platform/port.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface HarnessState {
  progress: Record<string, unknown>;
  armed: string | undefined;
  /** Every armWrite label, in order, with the time it was armed. */
  arms: { label: string; at: number }[];
}

export interface HarnessOptions {
  adapter: PlatformAdapter;
  baseUrl: string;
  credentials: Credentials;
  settings?: { clientId?: string; clientSecret?: string; extra?: Record<string, string> };
  media?: MediaSource[];
  state?: HarnessState;
  timeoutMs?: number;
  signal?: AbortSignal;
  previousAttemptAmbiguous?: boolean;
  /** Longest wait the adapter may ask for (the worker's cap is 30 s; tests keep it short). */
  maxWaitMs?: number;
}

export function newState(): HarnessState {
  return { progress: {}, armed: undefined, arms: [] };
}

/**
 * The worker's own context builder (workers/publish-context.ts) over an in-memory store.
 * Throws AdapterError progress_unreadable, as the worker does, when `state.progress` does
 * not parse with the adapter's progress schema.
 */
export function makeContext(o: HarnessOptions): { ctx: PublishContext<Record<string, unknown>>; state: HarnessState } {
  const state = o.state ?? newState();
  const signal = o.signal ?? new AbortController().signal;
  const ctx = buildPublishContext<Record<string, unknown>>({
    adapter: o.adapter,
    credentials: o.credentials,
    http: createPlatformHttp({ platform: o.adapter.manifest.platform, baseUrlOverride: o.baseUrl, timeoutMs: o.timeoutMs ?? 5_000, signal }),
    settings: { clientId: o.settings?.clientId, clientSecret: o.settings?.clientSecret, extra: o.settings?.extra ?? {} },
    async openMedia(ref: MediaRef) {
      const m = o.media?.[ref.index];
      if (!m) throw new Error(`test media ${ref.index} missing`);
      return m;
    },
    savedProgress: state.progress,
    previousAttemptAmbiguous: o.previousAttemptAmbiguous ?? false,
    store: {
      async save(patch) {
        state.progress = { ...state.progress, ...patch };
        state.armed = undefined;
      },
      async arm(label) {
        state.armed = label;
        state.arms.push({ label, at: Date.now() });
      },
      async disarm() {
        state.armed = undefined;
      },
    },
    signal,
    log: silentLog,
    maxWaitMs: o.maxWaitMs ?? 50,
  });
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

/** A publish input; with `adapter`, its options are parsed the way the worker parses them. */
export function input(partial: Partial<PublishInput> & { account: PublishInput['account'] }, adapter?: PlatformAdapter): PublishInput {
  const raw: PublishInput = {
    deliveryId: partial.deliveryId ?? `dlv_test_${Math.random().toString(36).slice(2)}`,
    postId: partial.postId ?? 'pst_test',
    text: partial.text ?? 'hello from Herald',
    media: partial.media ?? [],
    options: partial.options ?? {},
    account: partial.account,
    scheduledAt: partial.scheduledAt ?? new Date().toISOString(),
  };
  return adapter ? buildPublishInput(adapter, raw) : raw;
}

/** Run publish until it stops saying `processing` (the worker would reschedule instead). */
export async function publishToEnd(adapter: PlatformAdapter, inp: PublishInput, ctx: PublishContext, maxRounds = 50): Promise<PublishOutcome> {
  for (let i = 0; i < maxRounds; i++) {
    const out = await adapter.publish(inp, ctx);
    if (out.status !== 'processing') return out;
  }
  throw new Error('adapter kept answering processing');
}

/**
 * The AdapterError a publish (or any adapter call) fails with; fails the test otherwise, and
 * when its code is not in the code table of the adapter it names (or Herald's own codes).
 */
export async function caught(p: Promise<unknown>): Promise<AdapterError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error('expected an AdapterError');
  if (!AdapterError.is(err)) throw err;
  const platform = err.code.includes('.') ? err.code.slice(0, err.code.indexOf('.')) : undefined;
  const adapter = platform ? adapters.get(platform as PlatformName) : undefined;
  const documented = adapter ? isDocumentedCode(adapter, err.code, err.kind) : documents(DELIVERY_CODES, err.code, err.kind);
  if (!documented) throw new Error(`undocumented delivery error code "${err.code}" (kind ${err.kind}): ${err.message}`);
  return err;
}

const adapters = adapterMap(REGISTRY);
