/** Streaming request bodies in the transport (src/platform/http.ts, multipart.ts). */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterError } from '../../src/platform/errors.ts';
import { createPlatformHttp } from '../../src/platform/http.ts';
import { generatedSource } from '../../src/platform/media.ts';
import { streamedMultipart } from '../../src/platform/multipart.ts';

let server: http.Server;
let origin: string;
const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return;
    }
    received.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const transport = () => createPlatformHttp({ platform: 'test', timeoutMs: 5_000 });

async function bytesOf(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of src) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

describe('streamed request bodies', () => {
  it('sends a StreamBody with its declared Content-Length, bytes intact', async () => {
    const src = generatedSource(3 * 1024 * 1024 + 17, 'video/mp4');
    const res = await transport().request({ method: 'PUT', url: `${origin}/upload`, body: { stream: src.stream(), length: src.size }, phase: 'prepare' });
    expect(res.status).toBe(200);
    const got = received.at(-1)!;
    expect(got.headers['content-length']).toBe(String(src.size));
    expect(got.body.equals(await bytesOf(src.stream()))).toBe(true);
  });

  it('fails (transient before the write) when the stream is shorter or longer than declared', async () => {
    const src = generatedSource(100_000, 'video/mp4');
    for (const length of [src.size + 1, src.size - 1]) {
      let err: unknown;
      try {
        await transport().request({ method: 'PUT', url: `${origin}/upload`, body: { stream: src.stream(), length }, phase: 'prepare' });
      } catch (e) {
        err = e;
      }
      expect(AdapterError.is(err) && err.kind).toBe('transient');
      expect((err as Error).message).toMatch(/ERR_BODY_LENGTH/);
    }
  });

  it('streamedMultipart: fields first, the file streamed last, parsed by a standard multipart reader', async () => {
    const src = generatedSource(2 * 1024 * 1024 + 5, 'video/mp4');
    const { contentType, body } = streamedMultipart(
      [{ name: 'media_category', value: 'tweet_video' }],
      { name: 'media', filename: 'clip "1".mp4', contentType: 'video/mp4', size: src.size, stream: src.stream() },
    );
    const res = await transport().request({ method: 'POST', url: `${origin}/multipart`, headers: { 'content-type': contentType }, body, phase: 'prepare' });
    expect(res.status).toBe(200);
    const got = received.at(-1)!;
    expect(got.headers['content-length']).toBe(String(body.length));
    expect(got.body.byteLength).toBe(body.length);
    const form = await new Request(origin, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(got.body) }).formData();
    expect([...form.keys()]).toEqual(['media_category', 'media']);
    expect(form.get('media_category')).toBe('tweet_video');
    const file = form.get('media') as File;
    expect(file.type).toBe('video/mp4');
    expect(Buffer.from(await file.arrayBuffer()).equals(await bytesOf(src.stream()))).toBe(true);
  });
});
