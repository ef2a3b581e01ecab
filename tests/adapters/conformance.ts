/**
 * The conformance suite every registered platform adapter runs against its own simulator
 * (tests/adapters/conformance.test.ts runs it over adapters/registry.ts). It checks the
 * promises the publish worker relies on: manifest sanity, receipts, an armed intent before
 * every non-idempotent write, and error kinds for the failure modes every platform shares
 * (5xx / lost answer on the write, 429, refused connection, bad token).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORMS, type PublishInput } from '../../src/platform/port.ts';
import type { PlatformModule } from '../../src/platform/registry.ts';
import type { PlatformSimulator } from '../../src/platform/simulator-kit.ts';
import { targetIssues } from '../../src/platform/define.ts';
import { input, makeContext, publishToEnd, caught } from '../helpers/adapter-harness.ts';

/** A port nothing listens on: bind an ephemeral one, then release it. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}


export function describeConformance(platform: PlatformModule) {
  const { adapter } = platform;
  const m = adapter.manifest;
  const o = { ...platform.conformance, folder: join('adapters', m.platform) };
  describe(`${m.platform} adapter conformance`, () => {
    let sim: PlatformSimulator;
    let origin: string;
    beforeEach(async () => {
      sim = platform.simulator();
      origin = await sim.server.start();
    });
    afterEach(async () => {
      await sim.server.stop();
    });

    function setup(text?: string) {
      const demo = sim.createDemoAccount();
      const { ctx, state } = makeContext({
        adapter, baseUrl: origin, credentials: demo.credentials,
        media: o.sample?.media ?? [], settings: o.settings,
      });
      const inp: PublishInput = input({
        text: text ?? `${o.sample?.text ?? 'conformance post'} ${Math.random().toString(36).slice(2, 8)}`,
        options: o.sample?.options ?? {},
        media: (o.sample?.media ?? []).map((_, index) => ({ index })),
        account: { id: 'acc_test', externalId: demo.externalId, handle: demo.handle, settings: demo.settings ?? {} },
      }, adapter);
      return { ctx, state, inp, demo };
    }

    it('has a sane manifest', () => {
      expect(PLATFORMS).toContain(m.platform);
      expect(m.text.maxLength).toBeGreaterThan(0);
      expect(m.text.count('')).toBe(0);
      expect(m.text.count('abc')).toBeGreaterThan(0);
      expect(m.media.maxItems).toBeGreaterThanOrEqual(0);
      for (const k of Object.values(m.media.kinds)) {
        expect(k!.maxBytes).toBeGreaterThan(0);
        expect(k!.mimeTypes.length).toBeGreaterThan(0);
      }
      expect(m.docs).toMatch(/^https?:\/\//);
      expect(m.options.safeParse(o.sample?.options ?? {}).success).toBe(true);
      expect(targetIssues(adapter, { text: 'ok', media: [], options: o.sample?.options ?? {} })).toBeInstanceOf(Array);
    });

    it('never reads process.env and never imports the store', () => {
      for (const f of readdirSync(o.folder)) {
        if (!f.endsWith('.ts')) continue;
        const src = readFileSync(join(o.folder, f), 'utf8');
        expect(src, f).not.toMatch(/process\.env/);
        expect(src, f).not.toMatch(/ioredis|bullmq|src\/store/);
      }
    });

    it('publishes and returns a receipt with a public https URL', async () => {
      const { ctx, inp } = setup();
      const out = await publishToEnd(adapter, inp, ctx);
      if (m.capabilities.handoff) {
        expect(out.status).toBe('awaiting_action');
        return;
      }
      expect(out.status).toBe('published');
      if (out.status !== 'published') return;
      expect(out.receipt.platformPostId).not.toBe('');
      expect(out.receipt.url).toMatch(/^https:\/\//);
    });

    if (m.capabilities.handoff) return;

    it('arms the intent before the platform write is sent', async () => {
      const { ctx, inp, state } = setup();
      await publishToEnd(adapter, inp, ctx);
      const writes = sim.server.callsTo(o.writeRoute.method, o.writeRoute.path);
      expect(writes.length).toBeGreaterThan(0);
      expect(state.arms.length).toBeGreaterThan(0);
      expect(state.arms[0]!.at).toBeLessThanOrEqual(writes[0]!.at);
      expect(state.armed).toBeUndefined();
    });

    it('classifies a 5xx on the write as unknown (or transient when the write is idempotent)', async () => {
      const { ctx, inp } = setup();
      sim.server.injectFault({ method: o.writeRoute.method, path: o.writeRoute.path, fault: { type: 'status', status: 503, body: { error: 'unavailable' } } });
      const err = await caught(publishToEnd(adapter, inp, ctx));
      expect(m.capabilities.idempotentWrite ? ['unknown', 'transient'] : ['unknown']).toContain(err.kind);
    });

    it('classifies a lost answer after the write committed as unknown (or transient when idempotent)', async () => {
      const { ctx, inp } = setup();
      sim.server.injectFault({ method: o.writeRoute.method, path: o.writeRoute.path, fault: { type: 'drop_after_commit' } });
      const err = await caught(publishToEnd(adapter, inp, ctx));
      expect(m.capabilities.idempotentWrite ? ['unknown', 'transient'] : ['unknown']).toContain(err.kind);
    });

    it('classifies a 429 as rate_limited with a retry time in the future', async () => {
      const { ctx, inp } = setup();
      sim.server.injectFault({ method: o.writeRoute.method, path: o.writeRoute.path, fault: { type: 'status', status: 429, body: {} } });
      const err = await caught(publishToEnd(adapter, inp, ctx));
      expect(err.kind).toBe('rate_limited');
      expect(err.retryAt!.getTime()).toBeGreaterThan(Date.now());
    });

    it('classifies a refused connection as transient', async () => {
      const { inp, demo } = setup();
      const { ctx } = makeContext({ adapter, baseUrl: `http://127.0.0.1:${await closedPort()}`, credentials: demo.credentials, media: o.sample?.media ?? [], settings: o.settings });
      const err = await caught(publishToEnd(adapter, inp, ctx));
      expect(err.kind).toBe('transient');
    });

    it('classifies a bad access token as auth', async () => {
      const { inp, demo } = setup();
      const { ctx } = makeContext({
        adapter, baseUrl: origin, credentials: { ...demo.credentials, accessToken: 'not-a-valid-token' },
        media: o.sample?.media ?? [], settings: o.settings,
      });
      const err = await caught(publishToEnd(adapter, inp, ctx));
      expect(err.kind).toBe('auth');
    });
  });
}
