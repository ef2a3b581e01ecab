/**
 * The resumable upload protocol for videos.insert
 * (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol):
 * start a session (POST → 200 + Location), PUT the bytes in chunks with Content-Range,
 * read `308 Resume Incomplete` + `Range: bytes=0-K`, and probe with `bytes *\/N` after
 * an interruption. Media is streamed: at most one chunk is held in memory.
 */
import { AdapterError } from '../../src/platform/errors.ts';
import { rejected, transient } from './codes.ts';
import { parseBody, type HttpResponse } from '../../src/platform/http.ts';
import { chunked, type MediaSource } from '../../src/platform/media.ts';
import type { PublishContext } from '../../src/platform/port.ts';
import { bearer, DOCS, UPLOAD_URL, videoResource, type UploadSession, type VideoResource } from './client.ts';
import { classifyApiError } from './errors.ts';

/** Every chunk but the last must be a multiple of 256 KiB [V]. */
export const CHUNK_GRANULARITY = 256 * 1024;
/** 8 MiB = 32 × 256 KiB, as Postiz uses [S]: few requests, bounded memory. */
export const CHUNK_SIZE = 32 * CHUNK_GRANULARITY;
/** An 8 MiB chunk over a 1 Mbit/s uplink takes ~70 s; leave room before calling it lost. */
const CHUNK_TIMEOUT_MS = 180_000;
/** In-call probe/resume rounds after a failed middle chunk; then the worker retries on the same session. */
export const MAX_IN_CALL_RECOVERIES = 3;

export type ProbeResult =
  | { state: 'complete'; video: VideoResource }
  | { state: 'incomplete'; next: number }
  | { state: 'gone'; status: number };

export interface SessionMetadata {
  snippet: Record<string, unknown>;
  status: Record<string, unknown>;
}

/** `Range: bytes=0-K` → K + 1; no Range header → nothing was kept → 0. */
export function nextByteFromRange(range: string | null): number {
  const m = range ? /bytes=0-(\d+)/.exec(range) : null;
  return m ? Number(m[1]) + 1 : 0;
}

/** Step 1. Errors here mean no video exists: they are never ambiguous. */
export async function startSession(
  ctx: PublishContext,
  args: { metadata: SessionMetadata; source: MediaSource; notifySubscribers?: boolean },
): Promise<UploadSession> {
  // `part` is written literally: the docs show `part=snippet,status`.
  let url = `${UPLOAD_URL}?uploadType=resumable&part=snippet,status`;
  if (args.notifySubscribers !== undefined) url += `&notifySubscribers=${args.notifySubscribers}`;
  const res = await ctx.http.request({
    method: 'POST',
    url,
    phase: 'prepare',
    headers: {
      ...bearer(ctx.credentials.accessToken),
      'content-type': 'application/json; charset=UTF-8',
      'x-upload-content-length': String(args.source.size),
      'x-upload-content-type': args.source.mimeType,
    },
    body: JSON.stringify(args.metadata),
  });
  if (res.status < 200 || res.status >= 300) throw classifyApiError(res, 'start');
  const location = res.headers.get('location');
  if (!location) {
    throw transient({ code: 'youtube.no_session_uri', message: `YouTube answered ${res.status} without a Location header (${DOCS.resumable})`, platformStatus: res.status });
  }
  // Keep the URI as Google gave it (absolute); ctx.http rewrites its host on every use.
  return { uri: new URL(location, UPLOAD_URL).toString(), total: args.source.size, startedAt: new Date().toISOString() };
}

/** Step 3: `PUT {uri}` with `Content-Range: bytes *\/N` and no body. It cannot create anything. */
export async function probeSession(ctx: PublishContext, session: UploadSession): Promise<ProbeResult> {
  const res = await ctx.http.request({
    method: 'PUT',
    url: session.uri,
    phase: 'read',
    headers: { ...bearer(ctx.credentials.accessToken), 'content-range': `bytes */${session.total}` },
    // An empty body makes fetch send `Content-Length: 0`.
    body: new Uint8Array(0),
  });
  if (res.status === 200 || res.status === 201) return { state: 'complete', video: readVideo(res, 'read') };
  if (res.status === 308) return { state: 'incomplete', next: nextByteFromRange(res.headers.get('range')) };
  if (res.status === 404 || res.status === 410) return { state: 'gone', status: res.status };
  throw classifyApiError(res, 'probe');
}

function readVideo(res: HttpResponse, phase: 'read' | 'prepare' | 'write'): VideoResource {
  return parseBody(videoResource, res, { platform: 'youtube', phase, doc: DOCS.videos });
}

export type UploadResult = { state: 'complete'; video: VideoResource } | { state: 'gone'; status: number };

/**
 * Step 2: send bytes from `start` until the final chunk answers 200/201. Middle chunks that
 * fail (network error, 5xx) are probed and resumed on the same session a bounded number of
 * times. The final chunk is the write: `beforeFinal` arms it, and a lost answer or 5xx on it
 * is thrown as `unknown` for lookup to settle with a probe.
 */
export async function uploadFrom(
  ctx: PublishContext,
  session: UploadSession,
  source: MediaSource,
  start: number,
  beforeFinal: () => Promise<void>,
): Promise<UploadResult> {
  const total = session.total;
  let offset = start;
  let recoveries = 0;

  async function recover(cause: unknown): Promise<ProbeResult> {
    let last = cause;
    while (recoveries < MAX_IN_CALL_RECOVERIES) {
      recoveries += 1;
      await ctx.wait(1000 * 2 ** (recoveries - 1));
      try {
        return await probeSession(ctx, session);
      } catch (err) {
        if (!AdapterError.is(err) || err.kind !== 'transient') throw err;
        last = err;
      }
    }
    throw transient({
      code: 'youtube.upload_interrupted',
      message: `upload interrupted at byte ${offset} of ${total}; the session is saved and the next attempt resumes it`,
      cause: last,
    });
  }

  stream: for (;;) {
    if (offset >= total) {
      // Everything was acknowledged without a final 200/201: ask the session for the video.
      const probe = await probeSession(ctx, session);
      if (probe.state !== 'incomplete') return probe;
      offset = probe.next;
      if (offset >= total) throw transient({ code: 'youtube.upload_not_finalised', message: 'YouTube acknowledged every byte but reported no video yet' });
      continue;
    }
    // One reused 8 MiB buffer: each chunk is sent and answered before the next is read.
    for await (const chunk of chunked(source.stream(offset), CHUNK_SIZE, { reuse: true })) {
      if (ctx.signal.aborted) {
        throw transient({ code: 'youtube.aborted', message: `upload stopped at byte ${offset} of ${total}; the session is saved`, cause: ctx.signal.reason });
      }
      const end = offset + chunk.byteLength - 1;
      const final = end === total - 1;
      if (end >= total || (!final && chunk.byteLength % CHUNK_GRANULARITY !== 0)) {
        throw rejected({ code: 'youtube.media_size_mismatch', message: `the media stream does not match its declared size of ${total} bytes` });
      }
      if (final) await beforeFinal();
      let res: HttpResponse;
      try {
        res = await ctx.http.request({
          method: 'PUT',
          url: session.uri,
          phase: final ? 'write' : 'prepare',
          timeoutMs: CHUNK_TIMEOUT_MS,
          headers: {
            ...bearer(ctx.credentials.accessToken),
            'content-type': source.mimeType,
            'content-range': `bytes ${offset}-${end}/${total}`,
          },
          body: chunk,
        });
      } catch (err) {
        // A lost answer to the final chunk is thrown as is (unknown): lookup probes it.
        if (final || !AdapterError.is(err) || err.kind !== 'transient') throw err;
        const probe = await recover(err);
        if (probe.state !== 'incomplete') return probe;
        offset = probe.next;
        continue stream;
      }
      if (res.status === 200 || res.status === 201) return { state: 'complete', video: readVideo(res, final ? 'write' : 'prepare') };
      if (res.status === 308) {
        const next = nextByteFromRange(res.headers.get('range'));
        offset = next;
        // The server kept exactly this chunk: keep reading the same stream.
        if (next === end + 1) continue;
        // It kept fewer (or other) bytes: reopen the source at the acknowledged byte.
        continue stream;
      }
      if (res.status === 404 || res.status === 410) return { state: 'gone', status: res.status };
      if (res.status >= 500 && !final) {
        const probe = await recover(classifyApiError(res, 'chunk'));
        if (probe.state !== 'incomplete') return probe;
        offset = probe.next;
        continue stream;
      }
      throw classifyApiError(res, final ? 'final' : 'chunk');
    }
    if (offset < total) {
      throw rejected({ code: 'youtube.media_size_mismatch', message: `the media stream ended at byte ${offset} of a declared ${total}` });
    }
  }
}
