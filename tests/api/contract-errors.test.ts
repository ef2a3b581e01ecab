/**
 * The error contract (issue 7 items 17 and 18): post-body validation failures are 422
 * `validation_failed` with details; malformed JSON and non-object bodies are 400; nothing is
 * a 5xx or a bare framework error; authentication comes before the body is read.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let alice: { id: string; key: string };
let acc: string;

beforeAll(async () => {
  h = await startTestHerald();
  alice = await h.creator('contract');
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(alice.key), payload: { platform: 'x', externalId: '4242', credentials: { accessToken: 't' } } });
  acc = res.json().id;
});
afterAll(async () => {
  await h?.stop();
});

const json = (key: string | undefined, url: string, payload: string, extra: Record<string, string> = {}, method: 'POST' | 'PATCH' = 'POST') =>
  h.api!.inject({ method, url, headers: { ...(key ? bearer(key) : {}), 'content-type': 'application/json', ...extra }, payload });

function expectEnvelope(res: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = JSON.parse(res.body);
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toBe(res.headers['x-request-id']);
  return body.error as { code: string; message: string; details?: { field: string; code: string; message: string; target?: number }[] };
}

/** One raw HTTP/1.1 exchange on a real socket; resolves with the whole answer. */
function raw(request: string): Promise<string> {
  const u = new URL(h.url!);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.end(request));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}
const rawEnvelope = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error as { code: string; requestId: string };

describe('item 17: post bodies that break the schema are 422 validation_failed', () => {
  const future = () => new Date(Date.now() + 3600_000).toISOString();
  it.each([
    ['a scheduledAt without an offset', () => ({ text: 'x', scheduledAt: '2030-01-01T09:00:00', targets: [{ accountId: acc }] }), 'scheduledAt'],
    ['empty targets', () => ({ text: 'x', targets: [] }), 'targets'],
    ['a wrong type inside the post', () => ({ text: 42, targets: [{ accountId: acc }] }), 'text'],
    ['a wrong type inside a target', () => ({ text: 'x', scheduledAt: future(), targets: [{ accountId: acc, media: 'nope' }] }), 'targets.0.media'],
    ['an unknown field', () => ({ text: 'x', targets: [{ accountId: acc }], surprise: true }), ''],
  ])('%s', async (_name, body, field) => {
    for (const url of ['/v1/posts', '/v1/posts/validate']) {
      const err = expectEnvelope(await json(alice.key, url, JSON.stringify(body())), 422, 'validation_failed');
      expect(err.details!.length).toBeGreaterThan(0);
      expect(err.details!.map((d) => d.field)).toContain(field);
      for (const d of err.details!) expect(d).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
  });

  it('PATCH bodies too', async () => {
    const created = await json(alice.key, '/v1/posts', JSON.stringify({ text: 'patch me', scheduledAt: future(), targets: [{ accountId: acc }] }));
    expect(created.statusCode, created.body).toBe(202);
    const err = expectEnvelope(await json(alice.key, `/v1/posts/${created.json().id}`, JSON.stringify({ scheduledAt: 'tomorrow' }), {}, 'PATCH'), 422, 'validation_failed');
    expect(err.details![0]!.field).toBe('scheduledAt');
  });

  it('malformed JSON and non-object bodies stay 400', async () => {
    expectEnvelope(await json(alice.key, '/v1/posts', '{"text": "oops",'), 400, 'invalid_json');
    for (const body of ['[1]', '"text"', 'null', '42']) expectEnvelope(await json(alice.key, '/v1/posts', body), 400, 'invalid_request');
  });
});

describe('item 18: no 5xx and no bare framework error', () => {
  it('a media URL that is not a URL is a 4xx on validate and create', async () => {
    const body = JSON.stringify({ text: 'x', media: [{ url: 'not a url' }], targets: [{ accountId: acc }] });
    const v = await json(alice.key, '/v1/posts/validate', body);
    expect(v.statusCode, v.body).toBe(200);
    expect(v.json().issues.map((i: { code: string }) => i.code)).toContain('media_url_not_allowed');
    const c = expectEnvelope(await json(alice.key, '/v1/posts', body), 422, 'validation_failed');
    expect(c.details!.map((d) => d.code)).toContain('media_url_not_allowed');
  });

  it('deeply nested JSON with an Idempotency-Key is a clean 400', async () => {
    const depth = 20_000;
    const body = `{"text":"x","targets":[{"accountId":"${acc}","options":{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}}]}`;
    const err = expectEnvelope(await json(alice.key, '/v1/posts', body, { 'idempotency-key': 'deep-1' }), 400, 'invalid_request');
    expect(err.message).toMatch(/nest/);
    // Nothing was remembered for the key: the corrected body is accepted under it.
    const ok = await json(alice.key, '/v1/posts', JSON.stringify({ text: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: acc }] }), { 'idempotency-key': 'deep-1' });
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it('POST /v1/posts/:id/retry needs no body (as the README shows)', async () => {
    const created = await json(alice.key, '/v1/posts', JSON.stringify({ text: 'retry me', scheduledAt: new Date(Date.now() + 3600_000).toISOString(), targets: [{ accountId: acc }] }));
    const url = `/v1/posts/${created.json().id}/retry`;
    // The request reaches the handler, which answers about the post (nothing failed yet), not about a body.
    const bare = await h.api!.inject({ method: 'POST', url, headers: bearer(alice.key) });
    expect(expectEnvelope(bare, 409, 'conflict').message).toMatch(/no failed, retryable delivery/);
    const emptyJson = await h.api!.inject({ method: 'POST', url, headers: { ...bearer(alice.key), 'content-type': 'application/json' } });
    expect(expectEnvelope(emptyJson, 409, 'conflict').message).toMatch(/no failed, retryable delivery/);
  });

  it('bad percent-encoding in a path is a 400 in the envelope', async () => {
    const res = await h.api!.inject({ method: 'GET', url: '/v1/posts/%E0%A4%A', headers: bearer(alice.key) });
    expectEnvelope(res, 400, 'invalid_request');
  });

  it('an over-long path parameter is a 414 in the envelope', async () => {
    const res = await h.api!.inject({ method: 'GET', url: `/v1/posts/${'a'.repeat(500)}`, headers: bearer(alice.key) });
    expectEnvelope(res, 414, 'uri_too_long');
  });

  it('413 and 415 are in the envelope, and say what the route accepts', async () => {
    const big = await json(alice.key, '/v1/posts', JSON.stringify({ text: 'a'.repeat(2 * 1024 * 1024), targets: [] }));
    expect(expectEnvelope(big, 413, 'payload_too_large').message).toContain(String(h.config.bodyLimitBytes));
    const xml = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { ...bearer(alice.key), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(expectEnvelope(xml, 415, 'unsupported_media_type').message).toContain('application/json');
    const html = await h.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(alice.key), 'content-type': 'text/html' }, payload: '<a/>' });
    expect(expectEnvelope(html, 415, 'unsupported_media_type').message).not.toContain('send application/json');
  });

  it('errors Node raises before Fastify sees a request are in the envelope (real socket)', async () => {
    const garbage = await raw('HELLO\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(rawEnvelope(garbage).code).toBe('invalid_request');
    const headers = await raw(`GET /v1/posts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(headers).toMatch(/^HTTP\/1\.1 431 /);
    expect(rawEnvelope(headers).code).toBe('headers_too_large');
    // The same handler answers Node's request timeout; emit it on a real server-side socket.
    const server = h.api!.server;
    const answer = new Promise<string>((resolve) => {
      server.once('connection', (socket) => {
        setImmediate(() => server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket));
      });
      const u = new URL(h.url!);
      const s = net.connect(Number(u.port), u.hostname);
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('close', () => resolve(out));
    });
    const timeout = await answer;
    expect(timeout).toMatch(/^HTTP\/1\.1 408 /);
    expect(rawEnvelope(timeout).code).toBe('request_timeout');
    expect(rawEnvelope(timeout).requestId).toMatch(/\S/);
  });

  it('authenticates before reading the body: no key is 401 whatever the body', async () => {
    expectEnvelope(await json(undefined, '/v1/posts', '{bad json'), 401, 'unauthorized');
    expectEnvelope(await json(undefined, '/v1/posts', JSON.stringify({ text: 'a'.repeat(2 * 1024 * 1024) })), 401, 'unauthorized');
    expectEnvelope(await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }), 401, 'unauthorized');
    expectEnvelope(await json('hk_not_a_real_key_at_all', '/v1/posts', '{bad json'), 401, 'unauthorized');
  });
});
