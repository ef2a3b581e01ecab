/**
 * The conformance suite every registered platform adapter runs against its own simulator
 * (tests/adapters/conformance.test.ts runs it over adapters/registry.ts). It checks the
 * promises the publish worker relies on: manifest sanity, receipts, an armed intent before
 * every non-idempotent write, and error kinds for the failure modes every platform shares
 * (5xx / lost answer on the write, 429, refused connection, bad token).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORMS, type PublishInput } from '../../src/platform/port.ts';
import type { PlatformModule, RegisteredSimulator } from '../../src/platform/registry.ts';
import { targetIssues } from '../../src/platform/define.ts';
import { rewriteUrl } from '../../src/platform/http.ts';
import { input, makeContext, publishToEnd, caught, refreshContext, type HarnessState } from '../helpers/adapter-harness.ts';

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
    let sim: RegisteredSimulator;
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

    it('declares capability flags that agree with the methods it has', () => {
      expect(m.capabilities.lookup, 'capabilities.lookup vs lookup()').toBe(typeof adapter.lookup === 'function');
      expect(m.capabilities.refresh !== 'none', 'capabilities.refresh vs refresh()').toBe(typeof adapter.refresh === 'function');
      expect(m.capabilities.oauth, 'capabilities.oauth vs oauth').toBe(adapter.oauth !== undefined);
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

    if (m.capabilities.oauth) {
      it('exchange() returns an externalId that passes the manifest\'s check', async () => {
        const flow = adapter.oauth!;
        const verifier = randomBytes(32).toString('base64url');
        const redirectUri = `https://herald.test/v1/connect/${m.platform}/callback`;
        const url = flow.authorizeUrl({
          clientId: o.settings?.clientId ?? 'herald-test-client', redirectUri, state: 'conformance',
          ...(flow.pkce ? { codeChallenge: createHash('sha256').update(verifier).digest('base64url') } : {}),
        }, (u) => rewriteUrl(u, origin));
        const res = await fetch(url, { redirect: 'manual' });
        expect(res.status).toBe(302);
        const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
        const identity = await flow.exchange({ code, redirectUri, ...(flow.pkce ? { codeVerifier: verifier } : {}) }, refreshContext(m.platform, origin, o.settings));
        expect(identity.externalId).not.toBe('');
        if (m.externalId) expect(m.externalId.safeParse(identity.externalId).success, identity.externalId).toBe(true);
        expect(identity.credentials.accessToken).not.toBe('');
      });
    }

    if (m.capabilities.refresh !== 'none') {
      it(`refresh() returns credentials to store${m.capabilities.refresh === 'rotating' ? ', the rotated refresh token with them' : ''}`, async () => {
        const { demo } = setup();
        const before = demo.credentials;
        expect(before.refreshToken, 'demo accounts carry a refresh token').toBeDefined();
        const after = await adapter.refresh!(before, refreshContext(m.platform, origin, o.settings));
        expect(after.accessToken).not.toBe(before.accessToken);
        expect(after.refreshToken).toBeDefined();
        if (m.capabilities.refresh === 'rotating') expect(after.refreshToken).not.toBe(before.refreshToken);
        // What refresh() returned is what Herald stores: it must refresh again.
        const again = await adapter.refresh!(after, refreshContext(m.platform, origin, o.settings));
        expect(again.accessToken).not.toBe(after.accessToken);
      });
    }

    if (m.capabilities.handoff) return;

    /** A new run of the same delivery with the progress the last one saved (what the worker does after a crash). */
    function rerun(demo: ReturnType<RegisteredSimulator['createDemoAccount']>, state: HarnessState, previousAttemptAmbiguous = false) {
      return makeContext({ adapter, baseUrl: origin, credentials: demo.credentials, media: o.sample?.media ?? [], settings: o.settings, state, previousAttemptAmbiguous }).ctx;
    }

    it('a second run with the saved progress publishes nothing twice', async () => {
      const { ctx, inp, state, demo } = setup();
      const first = await publishToEnd(adapter, inp, ctx);
      expect(sim.publishedPosts()).toBe(1);
      const second = await publishToEnd(adapter, inp, rerun(demo, state));
      expect(sim.publishedPosts()).toBe(1);
      expect(second.status).toBe('published');
      if (first.status === 'published' && second.status === 'published') expect(second.receipt.platformPostId).toBe(first.receipt.platformPostId);
    });

    if (m.capabilities.lookup) {
      it('a lost answer after the write committed is found by lookup, and the re-run publishes nothing twice', async () => {
        const { ctx, inp, state, demo } = setup();
        sim.server.injectFault({ method: o.writeRoute.method, path: o.writeRoute.path, fault: { type: 'drop_after_commit' } });
        await caught(publishToEnd(adapter, inp, ctx));
        const armed = state.armed;
        expect(armed, 'the lost write was armed').toBeDefined();
        expect(sim.publishedPosts(), 'the write committed').toBe(1);
        const again = rerun(demo, state, true);
        expect(await adapter.lookup!(inp, again, { label: armed!, at: new Date().toISOString() })).toEqual({ status: 'landed' });
        const out = await publishToEnd(adapter, inp, rerun(demo, state, true));
        expect(out.status).toBe('published');
        expect(sim.publishedPosts()).toBe(1);
      });
    }

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
