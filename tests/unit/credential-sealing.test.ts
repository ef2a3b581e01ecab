/**
 * Keys at rest (issue 7 item 21): credentials are bound to their account id (AES-GCM AAD),
 * blobs sealed before that still open and are migrated, and media URLs are signed with a key
 * derived from ENCRYPTION_KEY by HKDF, never with ENCRYPTION_KEY itself.
 */
import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/store/crypto.ts';
import { bearer, ENCRYPTION_KEY, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let creator: { id: string; key: string };
const master = Buffer.from(ENCRYPTION_KEY, 'hex');

async function connect(externalId: string, accessToken: string) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId, credentials: { accessToken } } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** How credentials were sealed before account binding: "v1." + AES-256-GCM without AAD. */
function sealV1(plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', master, iv);
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return `v1.${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64')}`;
}

beforeAll(async () => {
  h = await startTestHerald();
  creator = await h.creator('sealing');
});
afterAll(async () => {
  await h?.stop();
});

describe('credentials bound to their account', () => {
  it('a blob copied onto another account does not open there', async () => {
    const a = await connect('8001', 'token-of-a');
    const b = await connect('8002', 'token-of-b');
    const sealedA = (await h.store.redis.hget(h.store.k.account(a), 'cred'))!;
    expect(sealedA).toMatch(/^v2\./);
    expect((await h.store.accounts.credentials(a))?.accessToken).toBe('token-of-a');
    await h.store.redis.hset(h.store.k.account(b), 'cred', sealedA);
    await expect(h.store.accounts.credentials(b)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('credentials sealed before the binding still open, and are re-sealed bound', async () => {
    const id = await connect('8003', 'fresh');
    await h.store.redis.hset(h.store.k.account(id), 'cred', sealV1(JSON.stringify({ accessToken: 'legacy-token', refreshToken: 'legacy-rt' })));
    const got = await h.store.accounts.getWithCredentials(id);
    expect(got?.credentials).toEqual({ accessToken: 'legacy-token', refreshToken: 'legacy-rt' });
    const now = (await h.store.redis.hget(h.store.k.account(id), 'cred'))!;
    expect(now).toMatch(/^v2\./);
    expect((await h.store.accounts.credentials(id))?.refreshToken).toBe('legacy-rt');
    // The re-sealed blob is bound too.
    const other = await connect('8004', 'other');
    await h.store.redis.hset(h.store.k.account(other), 'cred', now);
    await expect(h.store.accounts.credentials(other)).rejects.toBeInstanceOf(DecryptionError);
  });
});

describe('media URL signing key', () => {
  it('is derived from ENCRYPTION_KEY with HKDF, not the key itself', async () => {
    const up = await h.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(creator.key), 'content-type': 'image/png' }, payload: Buffer.alloc(64, 7) });
    expect(up.statusCode, up.body).toBe(201);
    const url = new URL(up.json().url);
    const id = url.pathname.split('/').pop()!;
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    const signed = `media:${id}:${exp}`;
    expect(sig).not.toBe(createHmac('sha256', master).update(signed).digest('base64url'));
    const derived = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'herald media-url signing', 32));
    expect(sig).toBe(createHmac('sha256', derived).update(signed).digest('base64url'));
    expect((await h.api!.inject({ method: 'GET', url: url.pathname + url.search })).statusCode).toBe(200);
  });
});
