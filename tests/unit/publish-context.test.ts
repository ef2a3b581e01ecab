/** The worker's context builder (workers/publish-context.ts), which the adapter tests use too. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { xAdapter } from '../../adapters/x/index.ts';
import { AdapterError } from '../../src/platform/errors.ts';
import { createPlatformHttp } from '../../src/platform/http.ts';
import { abortableWait, buildPublishContext, buildPublishInput } from '../../workers/publish-context.ts';
import { silentLog } from '../helpers/adapter-harness.ts';

function context(signal: AbortSignal, savedProgress: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const ctx = buildPublishContext({
    adapter: xAdapter,
    credentials: { accessToken: 't' },
    http: createPlatformHttp({ platform: 'x' }),
    settings: { extra: {} },
    openMedia: () => Promise.reject(new Error('no media')),
    savedProgress,
    previousAttemptAmbiguous: false,
    store: {
      save: async (patch) => void calls.push(`save ${JSON.stringify(patch)}`),
      arm: async (label) => void calls.push(`arm ${label}`),
      disarm: async () => void calls.push('disarm'),
    },
    signal,
    log: silentLog,
    maxWaitMs: 1,
  });
  return { ctx, calls };
}

describe('publish context', () => {
  it('ctx.wait leaves no abort listener behind (no MaxListenersExceeded after many waits)', async () => {
    const ac = new AbortController();
    const { ctx } = context(ac.signal);
    for (let i = 0; i < 20; i++) await ctx.wait(1);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('ctx.wait rejects at once on abort and removes its listener', async () => {
    const ac = new AbortController();
    const waiting = abortableWait(60_000, ac.signal);
    ac.abort();
    await expect(waiting).rejects.toThrow('aborted');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('hands the adapter parsed progress, with the schema defaults, and keeps it current', async () => {
    const { ctx, calls } = context(new AbortController().signal);
    expect(ctx.progress).toEqual({ tweetIds: [], mediaIds: {} });
    await ctx.saveProgress({ tweetIds: ['1'] });
    await ctx.disarm();
    expect(ctx.progress).toMatchObject({ tweetIds: ['1'] });
    expect(calls).toEqual(['save {"tweetIds":["1"]}', 'disarm']);
  });

  it('saved progress the schema rejects is AdapterError progress_unreadable (kind unknown)', () => {
    let err: unknown;
    try {
      context(new AbortController().signal, { tweetIds: 'not a list' });
    } catch (e) {
      err = e;
    }
    expect(AdapterError.is(err) && { kind: err.kind, code: err.code }).toEqual({ kind: 'unknown', code: 'progress_unreadable' });
  });

  it('options the schema no longer accepts are rejected (invalid_options) with the schema message', () => {
    const raw = { deliveryId: 'd', postId: 'p', text: 't', media: [], scheduledAt: new Date().toISOString(), account: { id: 'a', externalId: '1', settings: {} } };
    expect(buildPublishInput(xAdapter, { ...raw, options: { replySettings: 'following' } }).options).toEqual({ replySettings: 'following' });
    expect(() => buildPublishInput(xAdapter, { ...raw, options: { replySettings: 'everyone' } })).toThrow(/options\.replySettings/);
  });
});
