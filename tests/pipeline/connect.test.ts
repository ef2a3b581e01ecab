/**
 * OAuth connect end to end: Herald's connect endpoints, the simulators' authorize and
 * token endpoints (PKCE checked where the platform uses it), identity look-up, storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { createYouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import type { PlatformSimulator } from '../../src/platform/simulator-kit.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
const sims: Record<string, PlatformSimulator> = {};
let creator: { id: string; key: string };

beforeAll(async () => {
  sims.x = createXSimulator();
  sims.linkedin = createLinkedInSimulator();
  sims.youtube = createYouTubeSimulator();
  const urls: Record<string, string> = {};
  for (const [p, s] of Object.entries(sims)) urls[p] = await s.server.start();
  h = await startTestHerald({ platformUrls: urls, env: { PUBLIC_URL: 'https://herald.example.test' } });
  creator = await h.creator('connector');
});
afterAll(async () => {
  await h?.stop();
  for (const s of Object.values(sims)) await s.server.stop();
});

/** A browser: opens Herald's link (gets the connect cookie), follows the platform's authorize page, returns the callback. */
async function authorize(platform: string) {
  const start = await h.api!.inject({ method: 'GET', url: `/v1/connect/${platform}`, headers: bearer(creator.key) });
  expect(start.statusCode, start.body).toBe(200);
  const { authUrl, state } = start.json();
  const link = new URL(authUrl);
  expect(link.origin + link.pathname).toBe(`https://herald.example.test/v1/connect/${platform}/authorize`);
  const opened = await h.api!.inject({ method: 'GET', url: link.pathname + link.search });
  expect(opened.statusCode, opened.body).toBe(302);
  const setCookie = String(opened.headers['set-cookie']);
  expect(setCookie).toMatch(/^herald_connect_[\w-]+=[\w-]+; Path=\/v1\/connect\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
  const cookie = setCookie.split(';')[0]!;
  const platformUrl = String(opened.headers.location);
  const page = await fetch(platformUrl, { redirect: 'manual' });
  expect(page.status).toBe(302);
  const back = new URL(page.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(`https://herald.example.test/v1/connect/${platform}/callback`);
  expect(back.searchParams.get('state')).toBe(state);
  return { authUrl: new URL(platformUrl), query: back.search, cookie, link: link.pathname + link.search };
}

describe('OAuth connect', () => {
  it.each([
    ['x', /^\d+$/, true],
    ['linkedin', /^urn:li:person:/, false],
    ['youtube', /^UC/, true],
  ])('%s: authorize → callback → account with the posting identity', async (platform, idShape, pkce) => {
    const { authUrl, query, cookie } = await authorize(platform);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe(pkce ? 'S256' : null);
    const cb = await h.api!.inject({ method: 'GET', url: `/v1/connect/${platform}/callback${query}`, headers: { cookie } });
    expect(cb.statusCode, cb.body).toBe(200);
    const account = cb.json().account;
    expect(account.platform).toBe(platform);
    expect(account.externalId).toMatch(idShape);
    const creds = await h.store.accounts.credentials(account.id);
    expect(creds!.accessToken.length).toBeGreaterThan(5);
    expect((await h.store.accounts.get(account.id))!.creatorId).toBe(creator.id);
    // The state is single use.
    const again = await h.api!.inject({ method: 'GET', url: `/v1/connect/${platform}/callback${query}`, headers: { cookie } });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toMatch(/expired or was already used/);
  });

  it('refuses an unknown state, a state of another platform, and a denied consent', async () => {
    expect((await h.api!.inject({ method: 'GET', url: '/v1/connect/x/callback?code=abc&state=forged' })).statusCode).toBe(400);
    const { query, cookie } = await authorize('x');
    const wrong = await h.api!.inject({ method: 'GET', url: `/v1/connect/linkedin/callback${query}`, headers: { cookie } });
    expect(wrong.statusCode).toBe(400);
    const { query: deniedQuery, cookie: deniedCookie } = await authorize('youtube');
    const state = new URLSearchParams(deniedQuery).get('state')!;
    const denied = await h.api!.inject({ method: 'GET', url: `/v1/connect/youtube/callback?error=access_denied&state=${state}`, headers: { cookie: deniedCookie } });
    expect(denied.statusCode).toBe(400);
    expect(denied.json().error.message).toContain('access_denied');
  });

  it('is bound to the browser that opened the link: another browser cannot finish it, and the link opens once', async () => {
    const { query, cookie, link } = await authorize('x');
    // The callback URL forwarded to (or replayed in) another browser: no connect cookie, or another one.
    const elsewhere = await h.api!.inject({ method: 'GET', url: `/v1/connect/x/callback${query}` });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.message).toMatch(/browser that opened the link/);
    const forged = await h.api!.inject({ method: 'GET', url: `/v1/connect/x/callback${query}`, headers: { cookie: `${cookie.split('=')[0]}=someone-elses` } });
    expect(forged.statusCode).toBe(400);
    // A second browser opening the same link gets no cookie.
    const second = await h.api!.inject({ method: 'GET', url: link });
    expect(second.statusCode).toBe(400);
    expect(second.headers['set-cookie']).toBeUndefined();
    // The browser that opened it still finishes.
    const mine = await h.api!.inject({ method: 'GET', url: `/v1/connect/x/callback${query}`, headers: { cookie } });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(String(mine.headers['set-cookie'])).toMatch(/Max-Age=0/);
  });

  it('state expires after 10 minutes', async () => {
    const start = (await h.api!.inject({ method: 'GET', url: '/v1/connect/x', headers: bearer(creator.key) })).json();
    const ttl = await h.store.redis.ttl(h.store.k.oauthState(start.state));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    expect(Date.parse(start.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('needs a creator key to start, and a configured client', async () => {
    expect((await h.api!.inject({ method: 'GET', url: '/v1/connect/x' })).statusCode).toBe(401);
    const bare = await startTestHerald({ env: { X_CLIENT_ID: '' } });
    try {
      const c = await bare.creator();
      const res = await bare.api!.inject({ method: 'GET', url: '/v1/connect/x', headers: bearer(c.key) });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toContain('X_CLIENT_ID');
    } finally {
      await bare.stop();
    }
  });
});
