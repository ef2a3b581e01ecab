/**
 * What token-endpoint failures do to accounts and platforms (the OAuth 2 kit's classifier and
 * the token refresher): refused app credentials pause the platform and never mark creators'
 * accounts; a lost answer to a single-use refresh is recorded on the account; a refresh that
 * finishes after the account was deleted writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { xAdapter } from '../../adapters/x/index.ts';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import { caught } from '../helpers/adapter-harness.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald | undefined;
let x: XSimulator | undefined;
afterEach(async () => {
  await h?.stop();
  await x?.server.stop();
  h = undefined;
  x = undefined;
});

async function start(env: Record<string, string> = {}, simSecret?: string) {
  x = createXSimulator(simSecret ? { clientSecret: simSecret } : {});
  h = await startTestHerald({ worker: true, env, platformUrls: { x: await x.server.start() } });
  const creator = await h.creator('tokens');
  return { h, x, creator };
}

async function connectX(t: TestHerald, sim: XSimulator, key: string, expiresInMs = 60_000) {
  const demo = sim.createDemoAccount();
  const res = await t.api!.inject({
    method: 'POST', url: '/v1/accounts', headers: bearer(key),
    payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: { ...demo.credentials, expiresAt: new Date(Date.now() + expiresInMs).toISOString() } },
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().id as string;
}

describe('token endpoint failures', () => {
  it('a bad X_CLIENT_SECRET pauses X with an admin-visible reason and leaves every account active', async () => {
    const { h: t, x: sim, creator } = await start({ X_CLIENT_SECRET: 'not-the-secret' }, 'the-real-secret');
    const accounts = [await connectX(t, sim, creator.key), await connectX(t, sim, creator.key)];
    const deliveries: string[] = [];
    for (const accountId of accounts) {
      const res = await t.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: `needs a refresh ${accountId}`, targets: [{ accountId }] } });
      expect(res.statusCode, res.body).toBe(202);
      deliveries.push(res.json().deliveries[0].id);
    }
    const waiting = await t.waitFor(deliveries[0]!, (d) => d.status === 'retrying' && d.error?.code === 'x.oauth_client_rejected');
    expect(waiting.error?.message).toMatch(/X_CLIENT_SECRET/);
    expect(waiting.attempts).toBe(0);

    for (const id of accounts) {
      const a = (await t.api!.inject({ method: 'GET', url: `/v1/accounts/${id}`, headers: bearer(creator.key) })).json();
      expect(a).toMatchObject({ status: 'active', reauthReason: null });
    }
    const queues = (await t.api!.inject({ method: 'GET', url: '/v1/admin/queues', headers: bearer(ADMIN_KEY) })).json();
    expect(queues.platforms.x.paused).toBe(true);
    expect(queues.platforms.x.pausedReason).toMatch(/refused Herald's app credentials.*X_CLIENT_SECRET/);
    const audit = await t.store.audit.page(undefined, 10, { action: 'platform.pause', target: 'x' });
    expect(audit.entries).toHaveLength(1);
    expect(await t.store.audit.page(undefined, 10, { action: 'account.reauth_required' })).toMatchObject({ entries: [] });

    // Resuming clears the reason (the operator fixed the secret and restarted, or decided to retry).
    const resumed = await t.api!.inject({ method: 'POST', url: '/v1/admin/platforms/x/resume', headers: bearer(ADMIN_KEY), payload: { reason: 'secret fixed' } });
    expect(resumed.statusCode, resumed.body).toBe(200);
    const after = (await t.api!.inject({ method: 'GET', url: '/v1/admin/queues', headers: bearer(ADMIN_KEY) })).json();
    expect(after.platforms.x).toMatchObject({ paused: false, pausedReason: null });
  });

  it('a platform Herald paused for refused credentials resumes at start-up once the credentials changed', async () => {
    const { h: first, x: sim } = await start({ X_CLIENT_SECRET: 'old-secret' });
    await first.store.setPlatformPauseReason('x', 'X refused Herald\'s app credentials', first.runtime.appFingerprint('x'));
    await first.queues.pause('x');
    const prefix = first.config.redisPrefix;
    await first.close();
    const second = await startTestHerald({ worker: true, env: { X_CLIENT_SECRET: 'new-secret', REDIS_PREFIX: prefix }, platformUrls: { x: sim.server.origin() } });
    try {
      expect((await second.queues.counts()).x!.paused).toBe(false);
      expect(await second.store.platformPauseReason('x')).toBeUndefined();
    } finally {
      await second.stop();
    }
  });

  it('a lost answer to an X refresh (single-use token) is recorded on the account, and named when reauth follows', async () => {
    const { h: t, x: sim, creator } = await start();
    const id = await connectX(t, sim, creator.key);
    const { account, credentials } = (await t.store.accounts.getWithCredentials(id))!;
    sim.server.injectFault({ method: 'POST', path: '/2/oauth2/token', fault: { type: 'drop_after_commit' } });
    const lost = await caught(t.refresher.ensureFresh(account, xAdapter, credentials));
    expect(lost).toMatchObject({ kind: 'transient', code: 'x.refresh_answer_lost' });
    expect(sim.state.refreshCount).toBe(1);
    const view = (await t.api!.inject({ method: 'GET', url: `/v1/accounts/${id}`, headers: bearer(creator.key) })).json();
    expect(view.status).toBe('active');
    expect(view.refreshRisk).toMatch(/single-use/);
    expect(await t.store.audit.page(undefined, 10, { action: 'account.refresh_answer_lost', target: id })).toMatchObject({ entries: [expect.anything()] });

    // X rotated the token: the stored one is dead, and the reauth reason says why.
    const dead = await caught(t.refresher.ensureFresh(account, xAdapter, credentials));
    expect(dead).toMatchObject({ kind: 'auth', code: 'auth_expired' });
    const after = (await t.api!.inject({ method: 'GET', url: `/v1/accounts/${id}`, headers: bearer(creator.key) })).json();
    expect(after.status).toBe('reauth_required');
    expect(after.reauthReason).toMatch(/earlier refresh's answer was lost/);
  });

  it('a refresh that finishes after DELETE /v1/accounts/:id does not recreate the credentials', async () => {
    const { h: t, x: sim, creator } = await start();
    const id = await connectX(t, sim, creator.key);
    const { account, credentials } = (await t.store.accounts.getWithCredentials(id))!;
    sim.server.injectFault({ method: 'POST', path: '/2/oauth2/token', fault: { type: 'delay', ms: 300 } });
    const refreshing = caught(t.refresher.ensureFresh(account, xAdapter, credentials));
    while (sim.server.callsTo('POST', '/2/oauth2/token').length === 0) await new Promise((r) => setImmediate(r));
    const del = await t.api!.inject({ method: 'DELETE', url: `/v1/accounts/${id}`, headers: bearer(creator.key) });
    expect(del.statusCode).toBe(204);
    expect(await refreshing).toMatchObject({ kind: 'rejected', code: 'account_deleted' });
    expect(await t.store.redis.exists(t.store.k.account(id))).toBe(0);
  });
});
