import { afterEach, describe, expect, it } from 'vitest';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';

// The simulator is the stand-in for X in every adapter test: these check it keeps X's shapes.
describe('X simulator fidelity', () => {
  let sim: XSimulator;
  let origin: string;
  afterEach(async () => {
    await sim?.server.stop();
  });

  async function call(path: string, init: RequestInit & { token?: string } = {}) {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    const res = await fetch(`${origin}${path}`, { ...init, headers });
    return { status: res.status, headers: res.headers, body: await res.json().catch(() => undefined) };
  }

  it('rejects unknown POST /2/tweets fields and sends x-rate-limit-* headers on every answer', async () => {
    sim = createXSimulator();
    origin = await sim.server.start();
    const { credentials } = sim.createDemoAccount();
    const res = await call('/2/tweets', { method: 'POST', token: credentials.accessToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi', scheduled_at: 'tomorrow' }) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'https://api.x.com/2/problems/invalid-request', title: 'Invalid Request' });
    for (const r of [res, await call('/2/users/me'), await call('/2/users/me', { token: credentials.accessToken })]) {
      expect(r.headers.get('x-rate-limit-limit')).toMatch(/^\d+$/);
      expect(r.headers.get('x-rate-limit-remaining')).toMatch(/^\d+$/);
      expect(r.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/);
    }
    expect((await call('/2/users/me')).body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('supports the command= upload style and enforces segment order and total_bytes', async () => {
    sim = createXSimulator({ statusPollsUntilReady: 1 });
    origin = await sim.server.start();
    const { credentials } = sim.createDemoAccount();
    const token = credentials.accessToken;
    const form = (fields: Record<string, string>, media?: Uint8Array) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      if (media) f.append('media', new Blob([media as Uint8Array<ArrayBuffer>]));
      return f;
    };
    const init = await call('/2/media/upload', { method: 'POST', token, body: form({ command: 'INIT', media_type: 'video/mp4', total_bytes: '10', media_category: 'tweet_video' }) });
    const id = init.body.data.id as string;
    expect((await call('/2/media/upload', { method: 'POST', token, body: form({ command: 'APPEND', media_id: id, segment_index: '1' }, new Uint8Array(5)) })).status).toBe(400);
    expect((await call('/2/media/upload', { method: 'POST', token, body: form({ command: 'APPEND', media_id: id, segment_index: '0' }, new Uint8Array(5)) })).status).toBe(200);
    expect((await call('/2/media/upload', { method: 'POST', token, body: form({ command: 'FINALIZE', media_id: id }) })).body.title).toBe('Invalid Request');
    await call('/2/media/upload', { method: 'POST', token, body: form({ command: 'APPEND', media_id: id, segment_index: '1' }, new Uint8Array(5)) });
    const fin = await call('/2/media/upload', { method: 'POST', token, body: form({ command: 'FINALIZE', media_id: id }) });
    expect(fin.body.data.processing_info).toMatchObject({ state: 'pending', check_after_secs: 1 });
    const status = await call(`/2/media/upload?command=STATUS&media_id=${id}`, { token });
    expect(status.body.data.processing_info.state).toBe('succeeded');
  });

  it('answers a reused refresh token with the OAuth error shape', async () => {
    sim = createXSimulator();
    origin = await sim.server.start();
    const { credentials } = sim.createDemoAccount();
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken!, client_id: 'cid' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await call('/2/oauth2/token', { method: 'POST', headers, body })).status).toBe(200);
    const reused = await call('/2/oauth2/token', { method: 'POST', headers, body });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } });
  });
});

describe('X simulator posts and timeline', () => {
  let sim: XSimulator;
  let origin: string;
  afterEach(async () => {
    await sim?.server.stop();
  });

  async function post(token: string, body: unknown) {
    const res = await fetch(`${origin}/2/tweets`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  it('counts text with the v3 rules, refuses duplicates and shows posts like X does', async () => {
    sim = createXSimulator();
    origin = await sim.server.start();
    const demo = sim.createDemoAccount();
    const token = demo.credentials.accessToken;
    expect(await post(token, { text: 'の'.repeat(141) })).toMatchObject({ status: 403, body: { detail: 'You are not permitted to perform this action.' } });
    const created = await post(token, { text: 'の'.repeat(140) });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-app-limit-24hour-remaining')).toMatch(/^\d+$/);
    expect(await post(token, { text: 'の'.repeat(140) })).toMatchObject({
      status: 403, body: { detail: 'You are not allowed to create a Tweet with duplicate content.', title: 'Forbidden' },
    });
    expect((await post(token, { text: 'Read https://example.com/a & b' })).body.data.text).toMatch(/^Read https:\/\/t\.co\/\w{10} &amp; b$/);
    const timeline = async (start: string) => {
      const res = await fetch(`${origin}/2/users/${demo.externalId}/tweets?max_results=5&start_time=${start}`, { headers: { authorization: `Bearer ${token}` } });
      return res.json();
    };
    expect(await timeline(new Date(Date.now() + 60_000).toISOString())).toEqual({ meta: { result_count: 0 } });
    const page = await timeline(new Date(Date.now() - 60_000).toISOString());
    expect(page.meta.result_count).toBe(2);
    expect(page.data[0].text).toContain('t.co');
  });
});
