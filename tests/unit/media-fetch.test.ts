/** SSRF-safe media fetching against local HTTP servers (no mocks). */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, MediaFetchError, openUrlMedia, safeGet } from '../../src/media/fetch.ts';
import { checkUrlSyntax, isPrivateAddress } from '../../src/media/url-policy.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let server: http.Server;
let base: string;
const spoolDir = mkdtempSync(join(tmpdir(), 'herald-spool-'));
const body = Buffer.alloc(300_000, 7);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/png') {
      const range = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
      const start = range ? Number(range[1]) : 0;
      res.writeHead(range ? 206 : 200, { 'content-type': 'image/png', 'content-length': String(body.length - start) });
      return res.end(body.subarray(start));
    }
    if (u.pathname === '/chunked') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(body);
      return res.end(body);
    }
    if (u.pathname === '/html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    if (u.pathname === '/missing') return res.writeHead(404).end();
    if (u.pathname === '/down') return res.writeHead(503).end();
    if (u.pathname === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (u.pathname === '/to-ftp') return res.writeHead(302, { location: 'ftp://example.com/x.png' }).end();
    if (u.pathname === '/to-png') return res.writeHead(301, { location: '/png' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

async function failure(p: Promise<unknown>): Promise<MediaFetchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MediaFetchError) return err;
    throw err;
  }
  throw new Error('expected a MediaFetchError');
}

const open = (path: string, maxBytes = 10_000_000, allowPrivate = true) => openUrlMedia(`${base}${path}`, { allowPrivate, maxBytes, spoolDir });

describe('address policy', () => {
  it.each(['64:ff9b::a9fe:a9fe', '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1'])('refuses %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('allows %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
  it('refuses http, credentials, local names and private literals at accept time', () => {
    expect(checkUrlSyntax('http://example.com/a.png', false)).toMatch(/https/);
    expect(checkUrlSyntax('https://user:pw@example.com/a.png', false)).toMatch(/credentials/);
    expect(checkUrlSyntax('https://localhost/a.png', false)).toMatch(/local/);
    expect(checkUrlSyntax('https://[::1]/a.png', false)).toMatch(/private/);
    expect(checkUrlSyntax('https://example.com/a.png', false)).toBeUndefined();
  });
  it('checks the resolved address inside the socket lookup (no rebinding window)', async () => {
    const err = await new Promise<Error | null>((resolve) => guardedLookup(false)('localhost', {}, (e) => resolve(e)));
    expect(err).toBeInstanceOf(MediaFetchError);
    expect((err as MediaFetchError).code).toBe('media_url_not_allowed');
  });
  it('refuses a private server when private URLs are not allowed', async () => {
    expect((await failure(safeGet(`${base}/png`, { allowPrivate: false }))).code).toBe('media_url_not_allowed');
  });
});

describe('openUrlMedia', () => {
  it('streams from any offset with Range', async () => {
    const src = await open('/png');
    expect(src).toMatchObject({ size: body.length, mimeType: 'image/png', kind: 'image' });
    let n = 0;
    for await (const c of src.stream(100_000)) n += c.length;
    expect(n).toBe(body.length - 100_000);
  });
  it('follows redirects, each re-checked, and caps them', async () => {
    expect((await open('/to-png')).size).toBe(body.length);
    expect((await failure(open('/loop'))).message).toMatch(/redirected more than 5/);
    expect((await failure(open('/to-ftp'))).code).toBe('media_url_not_allowed');
  });
  it('enforces type and size, and classifies HTTP failures', async () => {
    expect((await failure(open('/html'))).code).toBe('media_type_not_supported');
    expect((await failure(open('/png', 1000))).code).toBe('media_too_large');
    const missing = await failure(open('/missing'));
    expect([missing.code, missing.retryable]).toEqual(['media_unavailable', false]);
    const down = await failure(open('/down'));
    expect([down.code, down.retryable]).toEqual(['media_fetch_failed', true]);
  });
  it('spools a body without Content-Length to disk, bounded', async () => {
    const src = await open('/chunked');
    expect(src.size).toBe(body.length * 2);
    src.cleanup?.();
    expect((await failure(open('/chunked', body.length))).code).toBe('media_too_large');
  });
});
