/**
 * Thin HTTP transport shared by adapters: applies the PLATFORM_<NAME>_URL override to
 * every URL (API, upload, token and URLs the platform returns), enforces timeouts,
 * and turns network failures into AdapterErrors according to whether the request
 * could have reached the platform. It never retries: the worker decides retries.
 */
import type { z } from 'zod';
import { AdapterError, transient, unknownOutcome } from './errors.ts';

/**
 * read:    GET / status polls / lookups: always safe to repeat.
 * prepare: uploads, sessions, containers: invisible until the write, safe to repeat.
 * write:   the call that makes content public: a lost answer is ambiguous.
 */
export type RequestPhase = 'read' | 'prepare' | 'write';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | URLSearchParams | FormData;
  phase: RequestPhase;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Body as text (platform answers are small; the transport caps them at 4 MiB). */
  text: string;
  /** The URL actually requested (after the override). */
  url: string;
  json(): unknown;
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
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

// Errors that prove the request never left this machine / never reached the peer.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ERR_BAD_PORT', 'ERR_INVALID_URL', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_SSL_WRONG_VERSION_NUMBER',
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
    // fetch refuses blocked ports ("bad port") before opening a connection; it has no code.
    if (cur instanceof Error && cur.message === 'bad port') return 'ERR_BAD_PORT';
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function createPlatformHttp(opts: PlatformHttpOptions): PlatformHttp {
  const defaultTimeout = opts.timeoutMs ?? 30_000;
  const rewrite = (url: string) => rewriteUrl(url, opts.baseUrlOverride);

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = rewrite(req.url);
    const timeoutMs = req.timeoutMs ?? defaultTimeout;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'Herald/0.1', ...req.headers };
    const what = `${req.method} ${new URL(url).pathname}`;
    let res: Response;
    try {
      res = await fetch(url, { method: req.method, headers, body: (req.body ?? null) as BodyInit | null, signal, redirect: 'manual' });
    } catch (err) {
      throw classifyNetworkError(err, { platform: opts.platform, phase: req.phase, what, timedOut: timeout.aborted });
    }
    let text: string;
    try {
      text = await readCapped(res);
    } catch (err) {
      // Headers arrived, so the platform got the request; a broken body on a write is still ambiguous.
      throw classifyNetworkError(err, { platform: opts.platform, phase: req.phase, what, timedOut: timeout.aborted, sent: true });
    }
    return {
      status: res.status,
      headers: res.headers,
      text,
      url,
      json() {
        return text.length === 0 ? undefined : JSON.parse(text);
      },
    };
  }

  return { request, rewrite };
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
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
 * Parse a platform response body with a zod schema. A body that does not match is a
 * platform-side surprise: transient before the write, ambiguous for the write itself.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  res: HttpResponse,
  ctx: { platform: string; phase: RequestPhase; doc: string },
): z.infer<S> {
  let raw: unknown;
  try {
    raw = res.json();
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const message = `unexpected response from ${ctx.platform} (${res.status} ${new URL(res.url).pathname}); expected the shape documented at ${ctx.doc}: ${parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
    .join('; ')}`;
  if (ctx.phase === 'write') throw unknownOutcome({ code: `${ctx.platform}.unexpected_response`, message });
  throw transient({ code: `${ctx.platform}.unexpected_response`, message });
}
