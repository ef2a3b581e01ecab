/**
 * Token refresh, generalised across platforms: proactive refresh before expiry, one refresh
 * per account, reauth when no refresh is possible, and retry after reconnecting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let x: ReturnType<typeof createXSimulator>;
let li: ReturnType<typeof createLinkedInSimulator>;
let creator: { id: string; key: string };

beforeAll(async () => {
  x = createXSimulator();
  li = createLinkedInSimulator({ clientId: 'test-li', clientSecret: 'test-li-secret' });
  h = await startTestHerald({ worker: true, platformUrls: { x: await x.server.start(), linkedin: await li.server.start() } });
  creator = await h.creator('refresh');
});
afterAll(async () => {
  await h?.stop();
  await x?.server.stop();
  await li?.server.stop();
});

async function connect(platform: 'x' | 'linkedin', demo: { externalId: string; handle?: string; credentials: Record<string, unknown> }) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform, externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().id as string;
}
async function publish(accountId: string, text: string) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text, targets: [{ accountId }] } });
  expect(res.statusCode, res.body).toBe(202);
  return { postId: res.json().id as string, deliveryId: res.json().deliveries[0].id as string };
}

describe('token refresh', () => {
  it('refreshes proactively when the token expires within 5 minutes (no 401 needed)', async () => {
    const demo = x.createDemoAccount();
    const acc = await connect('x', { ...demo, credentials: { ...demo.credentials, expiresAt: new Date(Date.now() + 60_000).toISOString() } });
    const before = x.state.refreshCount;
    const { deliveryId } = await publish(acc, 'proactive');
    await h.waitFor(deliveryId, (d) => d.status === 'published');
    expect(x.state.refreshCount - before).toBe(1);
    expect(x.server.callsTo('POST', '/2/tweets').filter((c) => c.status === 401)).toHaveLength(0);
    const creds = await h.store.accounts.credentials(acc);
    expect(Date.parse(creds!.expiresAt!)).toBeGreaterThan(Date.now() + 3600_000);
  });

  it('LinkedIn: refreshes with the partner refresh token on 401', async () => {
    const demo = li.createDemoAccount();
    const acc = await connect('linkedin', demo);
    li.expireAccessToken(demo.credentials.accessToken);
    const { deliveryId } = await publish(acc, 'linkedin after refresh');
    await h.waitFor(deliveryId, (d) => d.status === 'published');
    expect(li.state.refreshCount).toBeGreaterThanOrEqual(1);
  });

  it('LinkedIn without a refresh token: reauth_required, fail fast, reconnect, retry → published', async () => {
    const demo = li.createDemoAccount();
    const { refreshToken: _drop, ...noRefresh } = demo.credentials;
    const acc = await connect('linkedin', { ...demo, credentials: noRefresh });
    li.expireAccessToken(demo.credentials.accessToken);
    const first = await publish(acc, 'needs a reconnect');
    const failed = await h.waitFor(first.deliveryId, (d) => d.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'auth_expired', retryable: true });
    const account = (await h.api!.inject({ method: 'GET', url: `/v1/accounts/${acc}`, headers: bearer(creator.key) })).json();
    expect(account.status).toBe('reauth_required');
    expect(account.reauthReason).toMatch(/partner|refresh|reconnect/i);
    const audit = await h.store.audit.page(undefined, 10, { action: 'account.reauth_required', target: acc });
    expect(audit.entries).toHaveLength(1);

    // New posts to the account are refused at accept time, without calling LinkedIn.
    const calls = li.server.callsTo('POST', '/rest/posts').length;
    const second = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'also needs a reconnect', targets: [{ accountId: acc }] } });
    expect(second.statusCode).toBe(422);
    expect(second.json().error.details[0].code).toBe('account_reauth_required');
    expect(li.server.callsTo('POST', '/rest/posts').length).toBe(calls);

    // Reconnect the same member with fresh tokens (as the OAuth flow would), then the creator retries.
    const token = await fetch(`${li.server.origin()}/oauth/v2/accessToken`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: demo.credentials.refreshToken!, client_id: 'test-li', client_secret: 'test-li-secret' }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const again = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'linkedin', externalId: demo.externalId, credentials: { accessToken: token.access_token } } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: acc, status: 'active' });
    const retry = await h.api!.inject({ method: 'POST', url: `/v1/posts/${first.postId}/retry`, headers: bearer(creator.key), payload: {} });
    expect(retry.statusCode, retry.body).toBe(200);
    const after = await h.waitFor(first.deliveryId, (d) => d.status === 'published');
    expect(after.history.map((e) => e.event)).toEqual(expect.arrayContaining(['failed', 'retry_requested', 'published']));
    expect(li.livePosts().filter((p) => JSON.stringify(p).includes('needs a reconnect'))).toHaveLength(1);
  });
});
