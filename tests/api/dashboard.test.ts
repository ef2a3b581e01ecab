/**
 * The admin dashboard through app.inject(): the session gate (no data without a session),
 * cookie flags, CSRF on every state-changing form, HTML escaping, and each action going
 * through the audited admin service. The real-browser flow is tests/pipeline/dashboard-browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/domain/delivery.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let creator: { id: string; key: string };
let accountId: string;

beforeAll(async () => {
  h = await startTestHerald();
  creator = await h.creator('<script>alert("creator")</script>');
  const acc = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId: '123456', handle: 'dash', credentials: { accessToken: 'tok-dashboard-test' } } });
  expect(acc.statusCode, acc.body).toBe(201);
  accountId = acc.json().id;
});
afterAll(async () => {
  await h?.stop();
});

/** A delivery moved by hand into `status` (no worker runs here). */
async function deliveryIn(status: 'failed' | 'unknown', message = 'boom'): Promise<Delivery> {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: `dash ${Math.random()}`, scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId }] } });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().deliveries[0].id as string;
  const step = (to: Delivery['status'], extra: Partial<Delivery> = {}) => h.store.deliveries.update(id, (d, now) => ({
    ...d, ...extra, status: to, history: [...d.history, { at: now.toISOString(), event: to, status: to, ...(extra.error ? { code: extra.error.code, message: extra.error.message } : {}) }],
  }));
  if (status === 'unknown') await step('publishing');
  const after = await step(status, { error: { code: status === 'failed' ? 'platform_unavailable' : 'write_outcome_unknown', message, retryable: true } });
  return after!.delivery;
}

async function login(): Promise<{ cookie: string; csrf: string }> {
  const res = await h.api!.inject({ method: 'POST', url: '/admin/login', payload: `key=${encodeURIComponent(ADMIN_KEY)}&next=%2Fadmin%2Fplatforms`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/admin/platforms');
  const set = String(res.headers['set-cookie']);
  const cookie = set.split(';')[0]!;
  const page = await h.api!.inject({ method: 'GET', url: '/admin/deliveries', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return { cookie, csrf };
}

/** Where a form action redirected, decoded (form encoding: + is a space). */
function redirect(res: { headers: Record<string, unknown> }): string {
  return decodeURIComponent(String(res.headers.location).replace(/\+/g, ' '));
}

function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

describe('dashboard session', () => {
  it('without a session: pages redirect to the login form and nothing else returns data', async () => {
    const d = await deliveryIn('failed');
    for (const url of ['/admin', '/admin/deliveries', `/admin/deliveries/${d.id}`, '/admin/audit', '/admin/platforms', '/admin/queues']) {
      const res = await h.api!.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
      expect(res.body).not.toContain(d.id);
    }
    const api = await h.api!.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(api.statusCode).toBe(401);
    expect(api.body).not.toMatch(/publish-x/);
    const retry = await h.api!.inject({ method: 'POST', url: `/admin/deliveries/${d.id}/retry`, ...form({ reason: 'no session here' }) });
    expect(retry.statusCode).toBe(401);
    expect((await h.store.deliveries.get(d.id))!.status).toBe('failed');
    // The bearer admin key is not a dashboard session either.
    expect((await h.api!.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(ADMIN_KEY) })).statusCode).toBe(401);
  });

  it('a wrong key sets no cookie; the right one sets a signed HttpOnly SameSite=Strict cookie', async () => {
    const bad = await h.api!.inject({ method: 'POST', url: '/admin/login', ...form({ key: 'not-the-admin-key-0123456789' }) });
    expect(bad.statusCode).toBe(303);
    expect(bad.headers.location).toMatch(/^\/admin\/login\?.*error=1/);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const good = await h.api!.inject({ method: 'POST', url: '/admin/login', ...form({ key: ADMIN_KEY }) });
    const set = String(good.headers['set-cookie']);
    expect(set).toMatch(/^herald_admin=[^;]+\.[^;]+;/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\/admin/);
    expect(good.headers.location).toBe('/admin/deliveries');
  });

  it('a tampered or logged-out cookie is no session', async () => {
    const { cookie, csrf } = await login();
    const [name, value] = cookie.split('=');
    const tampered = `${name}=${value!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`;
    expect((await h.api!.inject({ method: 'GET', url: '/admin/deliveries', headers: { cookie: tampered } })).statusCode).toBe(303);
    expect((await h.api!.inject({ method: 'GET', url: '/admin/deliveries', headers: { cookie } })).statusCode).toBe(200);
    const out = await h.api!.inject({ method: 'POST', url: '/admin/logout', ...form({ _csrf: csrf }), headers: { ...form({}).headers, cookie } });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/herald_admin=;/);
    expect((await h.api!.inject({ method: 'GET', url: '/admin/deliveries', headers: { cookie } })).statusCode).toBe(303);
  });
});

describe('dashboard actions', () => {
  it('refuses a retry without the CSRF token of this session, then retries with it (audited)', async () => {
    const a = await login();
    const b = await login();
    const d = await deliveryIn('failed');
    const post = (fields: Record<string, string>) => h.api!.inject({ method: 'POST', url: `/admin/deliveries/${d.id}/retry`, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: a.cookie } });
    const attempts: Record<string, string>[] = [{ reason: 'no token at all' }, { reason: 'token of another session', _csrf: b.csrf }];
    for (const fields of attempts) {
      const res = await post(fields);
      expect(res.statusCode).toBe(303);
      expect(redirect(res)).toMatch(/CSRF check failed/);
      expect((await h.store.deliveries.get(d.id))!.status).toBe('failed');
    }
    const ok = await post({ reason: 'platform is back', _csrf: a.csrf });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toMatch(new RegExp(`^/admin/deliveries/${d.id}\\?notice=`));
    expect((await h.store.deliveries.get(d.id))!.status).toBe('queued');
    const audit = (await h.store.audit.page(undefined, 10, { target: d.id })).entries;
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'delivery.retry', reason: 'platform is back' });
    const page = await h.api!.inject({ method: 'GET', url: ok.headers.location as string, headers: { cookie: a.cookie } });
    expect(page.body).toContain('Retry queued: the delivery is queued.');
    expect(page.body).toContain('platform is back');
  });

  it('escapes everything it renders', async () => {
    const { cookie } = await login();
    const d = await deliveryIn('failed', '<img src=x onerror=alert(1)>');
    const list = await h.api!.inject({ method: 'GET', url: `/admin/deliveries?creatorId=${creator.id}`, headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(list.body).toContain(d.id);
    expect(list.body).toContain('&lt;script&gt;alert(&quot;creator&quot;)&lt;/script&gt;');
    expect(list.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(list.body).not.toMatch(/<script>|<img src=x/);
    const flash = await h.api!.inject({ method: 'GET', url: `/admin/deliveries/${d.id}?error=${encodeURIComponent('<b>bold</b>')}`, headers: { cookie } });
    expect(flash.body).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('resolves an unknown delivery, refusing a published outcome without a URL', async () => {
    const { cookie, csrf } = await login();
    const d = await deliveryIn('unknown');
    const resolve = (fields: Record<string, string>) => h.api!.inject({ method: 'POST', url: `/admin/deliveries/${d.id}/resolve`, payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
    const noUrl = await resolve({ outcome: 'published', url: '', reason: 'seen on the timeline' });
    expect(redirect(noUrl)).toMatch(/error=url: give the post URL/);
    expect((await h.store.deliveries.get(d.id))!.status).toBe('unknown');
    const ok = await resolve({ outcome: 'published', url: 'https://x.com/dash/status/1', reason: 'seen on the timeline' });
    expect(ok.headers.location).toMatch(/notice=/);
    const after = (await h.store.deliveries.get(d.id))!;
    expect(after).toMatchObject({ status: 'published', url: 'https://x.com/dash/status/1' });
    expect((await h.store.audit.page(undefined, 5, { target: d.id })).entries[0]).toMatchObject({ action: 'delivery.resolve', reason: 'seen on the timeline' });
  });

  it('bulk-retries a filter and pauses and resumes a platform', async () => {
    const { cookie, csrf } = await login();
    const ds = [await deliveryIn('failed', 'bulk one'), await deliveryIn('failed', 'bulk two')];
    const bulk = await h.api!.inject({ method: 'POST', url: '/admin/retries', payload: new URLSearchParams({ _csrf: csrf, status: 'failed', creatorId: creator.id, platform: 'x', errorCode: 'platform_unavailable', reason: 'outage over' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
    expect(redirect(bulk)).toMatch(/Bulk retry: \d+ of \d+ matching deliveries queued/);
    for (const d of ds) expect((await h.store.deliveries.get(d.id))!.status).toBe('queued');

    const act = (action: string, reason: string) => h.api!.inject({ method: 'POST', url: `/admin/platforms/linkedin/${action}`, payload: new URLSearchParams({ _csrf: csrf, reason }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
    await act('pause', 'linkedin incident');
    expect(await h.queues.queue('linkedin').isPaused()).toBe(true);
    const page = await h.api!.inject({ method: 'GET', url: '/admin/platforms', headers: { cookie } });
    expect(page.body).toContain('Resume linkedin');
    await act('resume', 'incident over');
    expect(await h.queues.queue('linkedin').isPaused()).toBe(false);
    const audit = await h.api!.inject({ method: 'GET', url: '/admin/audit?target=linkedin', headers: { cookie } });
    expect(audit.body).toContain('platform.pause');
    expect(audit.body).toContain('incident over');
  });

  it('serves bull-board read-only behind the session', async () => {
    const { cookie } = await login();
    const ui = await h.api!.inject({ method: 'GET', url: '/admin/queues', headers: { cookie } });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/Herald queues/);
    const api = await h.api!.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie } });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('publish-x');
    const pause = await h.api!.inject({ method: 'PUT', url: '/admin/queues/api/queues/publish-x/pause', headers: { cookie } });
    expect(pause.statusCode).toBe(403);
    expect(await h.queues.queue('x').isPaused()).toBe(false);
  });
});
