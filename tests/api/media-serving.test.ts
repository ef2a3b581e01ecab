/**
 * Uploaded media served back from Herald's origin: never as active content (issue 7 item 13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let creator: { id: string; key: string };

beforeAll(async () => {
  h = await startTestHerald();
  creator = await h.creator('media-serving');
});
afterAll(async () => {
  await h?.stop();
});

const upload = (contentType: string, payload: Buffer | string) =>
  h.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(creator.key), 'content-type': contentType }, payload });

describe('media serving (stored XSS)', () => {
  it('refuses SVG uploads with 415 in the envelope', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>';
    for (const type of ['image/svg+xml', 'image/SVG+xml']) {
      const res = await upload(type, svg);
      expect(res.statusCode, res.body).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    }
  });

  it('serves every media response as a download that cannot run script', async () => {
    // HTML bytes under an image type: without nosniff a browser may render them.
    const up = await upload('image/png', '<html><script>alert(1)</script></html>');
    expect(up.statusCode, up.body).toBe(201);
    const path = new URL(up.json().url).pathname + new URL(up.json().url).search;
    const expectSafe = (headers: Record<string, unknown>) => {
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(String(headers['content-disposition'])).toMatch(/^attachment/);
      expect(String(headers['content-security-policy'])).toContain("default-src 'none'");
      expect(String(headers['content-security-policy'])).toContain('sandbox');
    };
    const full = await h.api!.inject({ method: 'GET', url: path });
    expect(full.statusCode).toBe(200);
    expectSafe(full.headers);
    const ranged = await h.api!.inject({ method: 'GET', url: path, headers: { range: 'bytes=0-3' } });
    expect(ranged.statusCode).toBe(206);
    expectSafe(ranged.headers);
    const badSig = await h.api!.inject({ method: 'GET', url: path.replace(/sig=[^&]+/, 'sig=forged') });
    expect(badSig.statusCode).toBe(404);
    expectSafe(badSig.headers);
  });
});
