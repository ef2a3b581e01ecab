/**
 * Private addresses (issue 7 item 20): HERALD_ALLOW_PRIVATE_URLS=true works in live mode
 * with a loud warning, and HERALD_ALLOWED_PRIVATE_ADDRESSES exempts named ranges from the
 * private-address rule (like Mastodon's ALLOWED_PRIVATE_ADDRESSES), at accept time and in
 * the socket lookup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.ts';
import { startHerald } from '../../src/main/herald.ts';
import { guardedLookup, MediaFetchError } from '../../src/media/fetch.ts';
import { checkUrlSyntax, privateAccess } from '../../src/media/url-policy.ts';
import { REGISTRY } from '../../adapters/registry.ts';
import { adapterMap } from '../../src/platform/registry.ts';
import { ADMIN_KEY, bearer, ENCRYPTION_KEY, startTestHerald } from '../helpers/herald.ts';

const live = { HERALD_MODE: 'live', ADMIN_API_KEY: ADMIN_KEY, ENCRYPTION_KEY };

describe('HERALD_ALLOW_PRIVATE_URLS in live mode', () => {
  it('is accepted', () => {
    expect(loadConfig({ ...live, HERALD_ALLOW_PRIVATE_URLS: 'true' }, []).allowPrivateUrls).toBe(true);
  });

  it('is announced with a warning when Herald starts', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-private-'));
    const config = loadConfig({
      ...live, HERALD_ALLOW_PRIVATE_URLS: 'true', REDIS_URL: inject('redisUrl'), REDIS_PREFIX: `t${Math.random().toString(36).slice(2, 10)}`,
      DATA_DIR: dataDir, PORT: '0',
    }, []);
    const herald = await startHerald({ config, log: pino({ level: 'info' }, sink), adapters: adapterMap(REGISTRY), roles: { api: false, worker: false } });
    try {
      const warning = lines.find((l) => l.level === 40 && /HERALD_ALLOW_PRIVATE_URLS/.test(l.msg));
      expect(warning?.msg).toMatch(/live mode/);
      expect(warning?.msg).toMatch(/private/);
    } finally {
      await herald.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('HERALD_ALLOWED_PRIVATE_ADDRESSES', () => {
  it('parses a list of CIDRs and addresses, and names a bad entry', () => {
    const c = loadConfig({ HERALD_ALLOWED_PRIVATE_ADDRESSES: '10.20.0.0/16, 127.0.0.1 ,fd00:1::/32' }, []);
    expect(c.allowedPrivateAddresses).toEqual(['10.20.0.0/16', '127.0.0.1', 'fd00:1::/32']);
    for (const bad of ['10.0.0.0/33', 'nope', '10.0.0.0/8,,', 'fd00::/129']) {
      try {
        loadConfig({ HERALD_ALLOWED_PRIVATE_ADDRESSES: bad }, []);
        expect.unreachable(bad);
      } catch (err) {
        expect((err as ConfigError).problems.map((p) => p.variable), bad).toEqual(['HERALD_ALLOWED_PRIVATE_ADDRESSES']);
      }
    }
  });

  it('exempts only the named ranges at accept time (https still required)', () => {
    const access = privateAccess({ allowPrivateUrls: false, allowedPrivateAddresses: ['10.20.0.0/16', 'fd00:1::/32'] });
    expect(checkUrlSyntax('https://10.20.3.4/a.png', access)).toBeUndefined();
    expect(checkUrlSyntax('https://[fd00:1::5]/a.png', access)).toBeUndefined();
    expect(checkUrlSyntax('https://10.21.3.4/a.png', access)).toMatch(/private/);
    expect(checkUrlSyntax('https://169.254.169.254/latest', access)).toMatch(/private/);
    expect(checkUrlSyntax('http://10.20.3.4/a.png', access)).toMatch(/https/);
  });

  it('is honoured by the SSRF check in the socket lookup', async () => {
    const lookup = (access: ReturnType<typeof privateAccess>) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) => guardedLookup(access)('localhost', { family: 4 }, (err, address) => resolve({ err, address })));
    const refused = await lookup(privateAccess({ allowPrivateUrls: false, allowedPrivateAddresses: ['10.0.0.0/8'] }));
    expect(refused.err).toBeInstanceOf(MediaFetchError);
    const allowed = await lookup(privateAccess({ allowPrivateUrls: false, allowedPrivateAddresses: ['127.0.0.0/8'] }));
    expect(allowed.err).toBeNull();
    expect(allowed.address).toBe('127.0.0.1');
  });

  it('applies to posts accepted through the API', async () => {
    const h = await startTestHerald({ env: { HERALD_ALLOW_PRIVATE_URLS: 'false', HERALD_ALLOWED_PRIVATE_ADDRESSES: '10.20.0.0/16' } });
    try {
      const c = await h.creator();
      const acc = (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(c.key), payload: { platform: 'x', externalId: '77', credentials: { accessToken: 't' } } })).json().id;
      const check = async (url: string) => (await h.api!.inject({ method: 'POST', url: '/v1/posts/validate', headers: bearer(c.key), payload: { text: 'x', media: [{ url }], targets: [{ accountId: acc }] } })).json();
      expect(await check('https://10.20.0.9/a.png')).toEqual({ valid: true, issues: [] });
      expect((await check('https://10.30.0.9/a.png')).issues.map((i: { code: string }) => i.code)).toContain('media_url_not_allowed');
    } finally {
      await h.stop();
    }
  });
});
