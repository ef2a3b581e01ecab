/**
 * Thin HTTP transport shared by adapters: applies the PLATFORM_<NAME>_URL override to
 * every URL (API, upload, token and URLs the platform returns), enforces timeouts,
 * and turns network failures into AdapterErrors according to whether the request
 * could have reached the platform. It never retries: the worker decides retries.
 */
import type { z } from 'zod';
import http from 'node:http';
import https from 'node:https';
import { AdapterError, transient, unknownOutcome } from './errors.ts';

/**
 * read:    GET / status polls / lookups: always safe to repeat.
 * prepare: uploads, sessions, containers: invisible until the write, safe to repeat.
 * write:   the call that makes content public: a lost answer is ambiguous.
 */
export type RequestPhase = 'read' | 'prepare' | 'write';

/**
 * A body streamed as it is read (a large file): `length` is sent as Content-Length, the
 * transport pulls the next piece only when the socket has room, and a source that yields
 * more or fewer bytes than `length` fails the request instead of sending a wrong body.
 */
export interface StreamBody {
  stream: AsyncIterable<Uint8Array>;
  length: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** An array of byte parts is sent in order without being joined; a StreamBody is never held whole. */
  body?: string | Uint8Array | Uint8Array[] | URLSearchParams | FormData | StreamBody;
  phase: RequestPhase;
  timeoutMs?: number;
}

/** Response headers by lower-case name (what adapters read; cheaper than a WHATWG Headers). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  /** Body as text (platform answers are small; the transport caps them at 4 MiB). */
  text: string;
  /** The URL actually requested (after the override). */
  url: string;
  /** Parsed JSON; throws on a body that is not JSON. */
  json(): unknown;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  safeJson(): unknown;
}

export interface PlatformHttp {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Apply the base-URL override to a URL (for URLs the platform hands back). */
  rewrite(url: string): string;
}

export interface PlatformHttpOptions {
  platform: string;
  /** scheme + host (+ port) replacing those of every URL, e.g. http://127.0.0.1:4010 */
  baseUrlOverride?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  userAgent?: string;
  /** Agents to use instead of the shared ones (per-account origins: agents whose DNS lookup applies the SSRF checks). */
  agents?: Agents;
}

export interface Agents {
  'http:': http.Agent;
  'https:': https.Agent;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

// Errors that prove the request never left this machine / never reached the peer.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ERR_INVALID_URL', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_SSL_WRONG_VERSION_NUMBER',
  // The SSRF check inside the DNS lookup refused the address (per-account origins): nothing was sent.
  'media_url_not_allowed',
]);

export function rewriteUrl(url: string, override: string | undefined): string {
  if (!override) return url;
  const target = new URL(url);
  const base = new URL(override);
  target.protocol = base.protocol;
  target.host = base.host;
  return target.toString();
}

function errorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Keep-alive agents shared by every adapter. Idle sockets close after 4 s, before common
 * server idle timeouts (5 s and up), so a request rarely meets a socket the server is closing.
 */
const agents: Agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 }),
};

/** What goes on the wire: pieces in order, and their total length. */
interface WireBody {
  pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  length: number;
}

const isStreamBody = (body: HttpRequest['body']): body is StreamBody =>
  typeof body === 'object' && body !== null && 'stream' in body && 'length' in body;

async function encodeBody(body: HttpRequest['body'], headers: Record<string, string>): Promise<WireBody | undefined> {
  if (body === undefined) return undefined;
  if (isStreamBody(body)) return { pieces: body.stream, length: body.length };
  const parts = await encodeBytes(body, headers);
  return { pieces: parts, length: parts.reduce((n, part) => n + part.byteLength, 0) };
}

async function encodeBytes(body: Exclude<HttpRequest['body'], undefined | StreamBody>, headers: Record<string, string>): Promise<Uint8Array[]> {
  if (Array.isArray(body)) return body;
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (typeof body === 'string') return [Buffer.from(body)];
  if (body instanceof URLSearchParams) {
    if (!has('content-type')) headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    return [Buffer.from(body.toString())];
  }
  if (body instanceof FormData) {
    // Let the platform's multipart encoder (undici) pick the boundary.
    const encoded = new Response(body);
    headers['content-type'] = encoded.headers.get('content-type')!;
    return [Buffer.from(await encoded.arrayBuffer())];
  }
  return [Buffer.from(body.buffer, body.byteOffset, body.byteLength)];
}

/**
 * Writes the body, waiting for the socket to drain before pulling the next piece, so a
 * streamed file is never more than one piece plus the socket buffers ahead of the platform.
 */
async function pump(req: http.ClientRequest, body: WireBody): Promise<void> {
  let written = 0;
  for await (const piece of body.pieces) {
    if (req.destroyed) return;
    written += piece.byteLength;
    if (written > body.length) throw Object.assign(new Error(`the body is longer than its declared ${body.length} bytes`), { code: 'ERR_BODY_LENGTH' });
    if (!req.write(piece)) await new Promise<void>((resolve) => {
      const done = () => {
        req.off('drain', done);
        req.off('close', done);
        resolve();
      };
      req.on('drain', done);
      req.on('close', done);
    });
  }
  if (req.destroyed) return;
  if (written !== body.length) throw Object.assign(new Error(`the body ended after ${written} of its declared ${body.length} bytes`), { code: 'ERR_BODY_LENGTH' });
  req.end();
}

interface Sent {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

function headersOf(raw: http.IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name) {
      const v = raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

/** Bytes per second a request body must at least move at: 64 KiB/s. */
const MIN_BODY_RATE = 64 * 1024;

/**
 * Overall time for one exchange: the call timeout, plus the time to send its body at
 * MIN_BODY_RATE (an 8 MiB YouTube chunk gets 128 s more). Responses are small (at most
 * MAX_RESPONSE_BYTES), so receiving one needs no allowance of its own.
 */
export function exchangeDeadlineMs(timeoutMs: number, bodyBytes: number): number {
  return timeoutMs + Math.ceil((bodyBytes / MIN_BODY_RATE) * 1000);
}

/** One HTTP exchange on node:http (a third of fetch's CPU per call); errors carry `sent`. */
function exchange(url: URL, method: string, headers: Record<string, string>, body: WireBody | undefined, timeoutMs: number, signal: AbortSignal | undefined, pool: Agents): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let responded = false;
    const mod = url.protocol === 'https:' ? https : http;
    const agent = pool[url.protocol as 'http:' | 'https:'];
    if (!agent) return reject(Object.assign(new Error(`unsupported protocol ${url.protocol}`), { code: 'ERR_INVALID_URL', sent: false }));
    const req = mod.request(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent, timeout: timeoutMs });
    // Bytes can only have reached the platform once a connection existed.
    let connected = false;
    req.on('socket', (socket) => {
      if (!(socket as typeof socket & { connecting?: boolean }).connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    const fail = (err: Error) => reject(Object.assign(err, { timedOut, sent: responded || connected }));
    const onAbort = () => req.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('timeout', () => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    // The socket timeout only catches silence; a server trickling a byte at a time never
    // trips it. The whole exchange gets a deadline as well (see exchangeDeadlineMs).
    const deadlineMs = exchangeDeadlineMs(timeoutMs, body?.length ?? 0);
    const deadline = setTimeout(() => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`not finished within ${deadlineMs} ms`), { code: 'ETIMEDOUT' }));
    }, deadlineMs);
    const settle = () => {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
    };
    req.on('close', settle);
    req.on('error', (err) => {
      settle();
      fail(err);
    });
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > MAX_RESPONSE_BYTES) return res.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
        chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('response aborted')));
      res.on('end', () => {
        settle();
        resolve({ status: res.statusCode ?? 0, headers: headersOf(res.headers), text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    if (signal?.aborted) return onAbort();
    if (!body) return void req.end();
    pump(req, body).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
  });
}

export function createPlatformHttp(opts: PlatformHttpOptions): PlatformHttp {
  const defaultTimeout = opts.timeoutMs ?? 30_000;
  const rewrite = (url: string) => rewriteUrl(url, opts.baseUrlOverride);

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = rewrite(req.url);
    const parsed = new URL(url);
    const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'Herald/0.1', ...req.headers };
    const what = `${req.method} ${parsed.pathname}`;
    const body = await encodeBody(req.body, headers);
    let res: Sent;
    try {
      res = await exchange(parsed, req.method, headers, body, req.timeoutMs ?? defaultTimeout, opts.signal, opts.agents ?? agents);
    } catch (err) {
      const e = err as { timedOut?: boolean; sent?: boolean };
      throw classifyNetworkError(err, { platform: opts.platform, phase: req.phase, what, timedOut: e.timedOut === true, sent: e.sent === true });
    }
    const text = res.text;
    return {
      status: res.status,
      headers: res.headers,
      text,
      url,
      json() {
        return text.length === 0 ? undefined : JSON.parse(text);
      },
      safeJson() {
        try {
          return text.length === 0 ? undefined : JSON.parse(text);
        } catch {
          return undefined;
        }
      },
    };
  }

  return { request, rewrite };
}

export function classifyNetworkError(
  err: unknown,
  ctx: { platform: string; phase: RequestPhase; what: string; timedOut: boolean; sent?: boolean },
): AdapterError {
  if (AdapterError.is(err)) return err;
  const code = errorCode(err);
  const notSent = !ctx.sent && code !== undefined && NOT_SENT_CODES.has(code);
  const reason = ctx.timedOut ? 'timed out' : `failed (${code ?? (err as Error)?.message ?? 'network error'})`;
  const message = `${ctx.what} ${reason}`;
  if (notSent || ctx.phase !== 'write') {
    return transient({ code: `${ctx.platform}.network`, message, cause: err });
  }
  return unknownOutcome({
    code: `${ctx.platform}.write_outcome_unknown`,
    message: `${message} after the request was sent; the platform may have published it`,
    cause: err,
  });
}

/**
 * The one rule for a 5xx answer (and any status the platform does not document): on the
 * write it is ambiguous, since the platform may have published before failing; before the
 * write (read / prepare) nothing public exists, so it is transient. Code `<platform>.server_error`.
 */
export function serverError(
  res: { status: number },
  ctx: { platform: string; phase: RequestPhase; message: string; platformCode?: string },
): AdapterError {
  const init = { code: `${ctx.platform}.server_error`, platformStatus: res.status, ...(ctx.platformCode ? { platformCode: ctx.platformCode } : {}) };
  if (ctx.phase === 'write') return unknownOutcome({ ...init, message: `${ctx.message}; the platform may have published it` });
  return transient({ ...init, message: ctx.message });
}

/**
 * Parse a platform response body with a zod schema. A body that does not match is a
 * platform-side surprise: transient before the write, ambiguous for the write itself.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  res: HttpResponse,
  ctx: { platform: string; phase: RequestPhase; doc: string },
): z.infer<S> {
  const raw = res.safeJson();
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const message = `unexpected response from ${ctx.platform} (${res.status} ${new URL(res.url).pathname}); expected the shape documented at ${ctx.doc}: ${parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
    .join('; ')}`;
  if (ctx.phase === 'write') throw unknownOutcome({ code: `${ctx.platform}.unexpected_response`, message });
  throw transient({ code: `${ctx.platform}.unexpected_response`, message });
}
