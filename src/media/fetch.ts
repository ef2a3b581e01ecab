/**
 * SSRF-safe fetching of user-supplied media URLs, streamed (never whole in memory).
 * The address check runs inside the socket's DNS lookup, so the address that is
 * checked is the address connected to (no DNS-rebinding window); every redirect is
 * re-checked; sizes and types are enforced while streaming.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mediaKindOf, type MediaSource } from '../platform/media.ts';
import { tmpFileName } from './tmp-files.ts';
import { checkUrlSyntax, isPrivateAddress, type PrivateAccess } from './url-policy.ts';

export type MediaErrorCode =
  | 'media_url_not_allowed' | 'media_unavailable' | 'media_too_large' | 'media_type_not_supported' | 'media_fetch_failed';

export class MediaFetchError extends Error {
  override readonly name = 'MediaFetchError';
  constructor(readonly code: MediaErrorCode, message: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface SafeFetchOptions {
  allowPrivate: PrivateAccess;
  maxRedirects?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function guardedLookup(access: PrivateAccess): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as LookupAddress[];
      const bad = access === true ? undefined : list.find((a) => isPrivateAddress(a.address, access || undefined));
      if (bad) {
        const e = new MediaFetchError('media_url_not_allowed', `${hostname} resolves to ${bad.address}, a private or local address`, false);
        return callback(e, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 4);
      callback(null, first.address, first.family);
    });
  };
}

interface Opened {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
  url: string;
}

/** GET with redirects re-checked; resolves when headers arrive. */
export async function safeGet(rawUrl: string, opts: SafeFetchOptions & { headers?: Record<string, string> }): Promise<Opened> {
  let url = rawUrl;
  const max = opts.maxRedirects ?? 5;
  for (let hop = 0; hop <= max; hop++) {
    const problem = checkUrlSyntax(url, opts.allowPrivate);
    if (problem) throw new MediaFetchError('media_url_not_allowed', `media URL ${problem}`, false);
    const res = await getOnce(url, opts);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      res.body.destroy();
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    return res;
  }
  throw new MediaFetchError('media_unavailable', `media URL redirected more than ${max} times`, false);
}

/** Media must arrive at least this fast on average, once the fetch timeout has passed: 64 KiB/s. */
const MIN_MEDIA_RATE = 64 * 1024;
const RATE_CHECK_MS = 1_000;

/**
 * An overall deadline that grows with progress. The socket timeout only catches silence: a
 * server trickling a byte every 200 ms never trips it and kept a worker slot for as long as
 * it liked. After `graceMs`, the bytes received must average MIN_MEDIA_RATE since the start.
 */
function rateGuard(graceMs: number, host: string, onSlow: (err: MediaFetchError) => void): { add(n: number): void; stop(): void } {
  const started = Date.now();
  let received = 0;
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    if (elapsed <= graceMs || received >= ((elapsed - graceMs) / 1000) * MIN_MEDIA_RATE) return;
    clearInterval(timer);
    onSlow(new MediaFetchError('media_fetch_failed', `media from ${host} arrived slower than 64 KiB/s (${received} bytes in ${Math.round(elapsed / 1000)} s)`, true));
  }, RATE_CHECK_MS);
  timer.unref();
  return { add: (n) => void (received += n), stop: () => clearInterval(timer) };
}

function getOnce(url: string, opts: SafeFetchOptions & { headers?: Record<string, string> }): Promise<Opened> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, {
      method: 'GET',
      headers: { 'user-agent': 'Herald/0.1 media fetcher', ...opts.headers },
      lookup: guardedLookup(opts.allowPrivate),
      timeout: opts.timeoutMs ?? 30_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    // Headers trickled byte by byte would keep the socket busy: they get the timeout as a deadline.
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const headersDeadline = setTimeout(() => req.destroy(new MediaFetchError('media_fetch_failed', `${u.host} sent no response headers within ${timeoutMs} ms`, true)), timeoutMs);
    req.on('response', (res) => {
      clearTimeout(headersDeadline);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url });
    });
    req.on('timeout', () => req.destroy(new MediaFetchError('media_fetch_failed', `fetching ${u.host} timed out`, true)));
    req.on('close', () => clearTimeout(headersDeadline));
    req.on('error', (err) => {
      if (err instanceof MediaFetchError) return reject(err);
      reject(new MediaFetchError('media_fetch_failed', `fetching ${u.host} failed: ${err.message}`, true, { cause: err }));
    });
    req.end();
  });
}

function statusError(status: number, url: string): MediaFetchError {
  const host = new URL(url).host;
  if (status === 429 || status >= 500) return new MediaFetchError('media_fetch_failed', `media host ${host} answered ${status}`, true);
  return new MediaFetchError('media_unavailable', `media URL answered ${status} (${host})`, false);
}

export interface OpenUrlOptions extends SafeFetchOptions {
  maxBytes: number;
  /** Where to spool bodies sent without Content-Length. */
  spoolDir: string;
  altText?: string;
}

/** Open a user's media URL as a MediaSource: one probing GET now, one ranged GET per stream. */
export async function openUrlMedia(url: string, opts: OpenUrlOptions): Promise<MediaSource> {
  const first = await safeGet(url, opts);
  if (first.status !== 200) {
    first.body.destroy();
    throw statusError(first.status, first.url);
  }
  const mimeType = String(first.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const kind = mediaKindOf(mimeType);
  if (!kind) {
    first.body.destroy();
    throw new MediaFetchError('media_type_not_supported', `media URL serves "${mimeType || 'no content type'}", not an image, video or document`, false);
  }
  const length = Number(first.headers['content-length']);
  if (Number.isFinite(length) && length > opts.maxBytes) {
    first.body.destroy();
    throw new MediaFetchError('media_too_large', `media is ${length} bytes; the limit is ${opts.maxBytes}`, false);
  }
  if (!Number.isFinite(length) || first.headers['content-length'] === undefined) {
    // No length: spool to disk (bounded) so platforms that need the size up front get it.
    const path = await spool(first.body, opts);
    return { ...fileSource(path, mimeType, statSync(path).size, url, opts.altText), cleanup: () => rmSync(path, { force: true }) };
  }
  first.body.destroy();
  const size = length;
  return {
    size, mimeType, kind, publicUrl: url,
    ...(opts.altText ? { altText: opts.altText } : {}),
    async *stream(start = 0) {
      const res = await safeGet(url, { ...opts, headers: start > 0 ? { range: `bytes=${start}-` } : {} });
      if (res.status !== 200 && res.status !== 206) {
        res.body.destroy();
        throw statusError(res.status, res.url);
      }
      let skip = res.status === 200 ? start : 0;
      let sent = 0;
      let slow: MediaFetchError | undefined;
      const rate = rateGuard(opts.timeoutMs ?? 30_000, new URL(url).host, (err) => {
        slow = err;
        res.body.destroy(err);
      });
      try {
        for await (const piece of res.body as AsyncIterable<Buffer>) {
          rate.add(piece.length);
          let chunk = piece;
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length;
              continue;
            }
            chunk = chunk.subarray(skip);
            skip = 0;
          }
          sent += chunk.length;
          if (start + sent > size) {
            res.body.destroy();
            throw new MediaFetchError('media_fetch_failed', `media at ${new URL(url).host} is longer than its Content-Length`, true);
          }
          yield chunk;
        }
      } catch (err) {
        throw slow ?? err;
      } finally {
        rate.stop();
      }
      if (start + sent !== size) throw new MediaFetchError('media_fetch_failed', `media stream ended at ${start + sent} of ${size} bytes`, true);
    },
  };
}

async function spool(body: Readable, opts: OpenUrlOptions): Promise<string> {
  mkdirSync(opts.spoolDir, { recursive: true });
  const path = join(opts.spoolDir, tmpFileName('spool'));
  let total = 0;
  const rate = rateGuard(opts.timeoutMs ?? 30_000, 'the media URL', (err) => body.destroy(err));
  body.on('data', (c: Buffer) => {
    total += c.length;
    rate.add(c.length);
    if (total > opts.maxBytes) body.destroy(new MediaFetchError('media_too_large', `media is larger than ${opts.maxBytes} bytes`, false));
  });
  try {
    await pipeline(body, createWriteStream(path));
  } catch (err) {
    rmSync(path, { force: true });
    if (err instanceof MediaFetchError) throw err;
    throw new MediaFetchError('media_fetch_failed', `downloading media failed: ${(err as Error).message}`, true, { cause: err });
  } finally {
    rate.stop();
  }
  return path;
}

/** Media stored on local disk (uploads, spooled downloads). */
export function fileSource(path: string, mimeType: string, size: number, publicUrl: string, altText?: string): MediaSource {
  const kind = mediaKindOf(mimeType);
  if (!kind) throw new MediaFetchError('media_type_not_supported', `unsupported media type ${mimeType}`, false);
  return {
    size, mimeType, kind, publicUrl,
    ...(altText ? { altText } : {}),
    stream(start = 0) {
      return createReadStream(path, { start, highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>;
    },
  };
}
