/**
 * Media for a LinkedIn post. URNs exist before the post, so every step here is safe to
 * repeat; each finished URN (and every video part's ETag) is persisted so a retry never
 * uploads the same bytes twice.
 *   images / documents: initializeUpload → one PUT of the whole file, streamed
 *   video: initializeUpload → PUT each 4 MiB range → finalizeUpload → poll until AVAILABLE
 * Images and documents process asynchronously too [S 2026]: they are polled until AVAILABLE
 * where the token may read them (page tokens), else the post waits MEDIA_GRACE_MS after the upload.
 */
import { z } from 'zod';
import { rejected, transient } from './codes.ts';
import { parseBody } from '../../src/platform/http.ts';
import type { MediaSource } from '../../src/platform/media.ts';
import type { MediaRef, PublishContext } from '../../src/platform/port.ts';
import {
  apiVersion, DOCS, documentInitSchema, encodeUrn, imageInitSchema, isOk, type RestCall, restRequest,
  assetStatusSchema, uploadInstructionSchema, type UploadInstruction, videoInitSchema, videoStatusSchema,
} from './client.ts';
import { classifyFailure, restliError } from './errors.ts';
import { MULTI_IMAGE_MAX } from './manifest.ts';

/** Polls inside one run; then the worker calls publish again after VIDEO_CHECK_AFTER_MS. */
const VIDEO_POLLS_PER_RUN = 5;
const VIDEO_POLL_INTERVAL_MS = 3_000;
export const VIDEO_CHECK_AFTER_MS = 30_000;
/**
 * A member token (w_member_social) may not read image or document status [S Postiz]: the post
 * waits this long after the upload instead. `settings.extra.mediaGraceMs` overrides it.
 */
export const MEDIA_GRACE_MS = 5_000;
const MEDIA_POLLS_PER_RUN = 5;
const MEDIA_POLL_INTERVAL_MS = 1_000;
const MEDIA_CHECK_AFTER_MS = 10_000;
/** A 4 MiB part on a slow uplink; a whole 100 MB document. */
const PART_TIMEOUT_MS = 120_000;
const WHOLE_FILE_TIMEOUT_MS = 300_000;

export const mediaEntrySchema = z.object({
  urn: z.string(),
  kind: z.enum(['image', 'gif', 'video', 'document']),
  altText: z.string().optional(),
  title: z.string().optional(),
  /** GET /rest/{videos|images|documents} answered AVAILABLE, or (unreadable status) the grace passed. */
  ready: z.boolean().optional(),
  /** Images and documents: when the upload finished (ms epoch), for the grace period. */
  uploadedAt: z.number().optional(),
});
export type MediaEntry = z.infer<typeof mediaEntrySchema>;

export const videoSessionSchema = z.object({
  index: z.number(),
  urn: z.string(),
  uploadToken: z.string(),
  size: z.number(),
  instructions: z.array(uploadInstructionSchema),
  /** ETags of the parts uploaded so far, in instruction order. */
  etags: z.array(z.string()),
  uploadUrlsExpireAt: z.number().optional(),
});
export type VideoSession = z.infer<typeof videoSessionSchema>;

export interface MediaRun {
  rest: RestCall;
  ctx: PublishContext;
  author: string;
  /** Uploaded media by index (a local copy of progress.media). */
  media: Record<string, MediaEntry>;
  video: VideoSession | undefined;
  saveMedia(index: number, entry: MediaEntry): Promise<void>;
  saveVideo(session: VideoSession | null): Promise<void>;
}

export type PostContent =
  | { media: { id: string; title?: string; altText?: string } }
  | { multiImage: { images: { id: string; altText?: string }[] } };

export type Prepared = { content: PostContent | undefined } | { processing: { checkAfterMs: number; note: string } };

const combinationError = (why: string) =>
  rejected({ code: 'linkedin.media_combination', message: `LinkedIn posts carry one video, or one document, or 1–${MULTI_IMAGE_MAX} images: ${why}` });

/** Uploads what is missing, waits for video processing, and returns the post `content`. */
export async function prepareMedia(refs: MediaRef[], run: MediaRun, opts: { documentTitle?: string }): Promise<Prepared> {
  if (refs.length === 0) return { content: undefined };
  if (refs.length > MULTI_IMAGE_MAX) throw combinationError(`${refs.length} items`);
  const sources = new Map<number, MediaSource>();
  for (const ref of refs) if (!run.media[ref.index]) sources.set(ref.index, await run.ctx.openMedia(ref));
  const kinds = refs.map((r) => run.media[r.index]?.kind ?? sources.get(r.index)!.kind);
  const single = kinds.find((k) => k === 'video' || k === 'document');
  if (single && refs.length > 1) throw combinationError(`a ${single} cannot share a post with other media`);

  for (const ref of refs) {
    const source = sources.get(ref.index);
    if (!source) continue;
    const altText = ref.altText ?? source.altText;
    const base = { kind: source.kind, ...(altText ? { altText } : {}) };
    if (source.kind === 'video') {
      await run.saveMedia(ref.index, { ...base, urn: await uploadVideo(ref.index, source, run) });
    } else if (source.kind === 'document') {
      const urn = await uploadWhole('documents', source, run);
      await run.saveMedia(ref.index, { ...base, urn, title: fileTitle(ref.url ?? source.publicUrl), uploadedAt: Date.now() });
    } else {
      await run.saveMedia(ref.index, { ...base, urn: await uploadWhole('images', source, run), uploadedAt: Date.now() });
    }
  }

  for (const ref of refs) {
    const entry = run.media[ref.index]!;
    if (entry.ready) continue;
    if (entry.kind === 'video') {
      if (!(await awaitVideo(entry.urn, run))) return { processing: { checkAfterMs: VIDEO_CHECK_AFTER_MS, note: 'LinkedIn is still processing the video' } };
    } else {
      const waitMs = await awaitAsset(entry, run);
      if (waitMs > 0) return { processing: { checkAfterMs: waitMs, note: `LinkedIn is still processing the ${entry.kind === 'document' ? 'document' : 'image'}` } };
    }
    await run.saveMedia(ref.index, { ...entry, ready: true });
  }
  return { content: contentFrom(refs, run.media, opts) };
}

/** The post `content` from persisted media, or undefined when something is not ready. */
export function contentFrom(refs: MediaRef[], media: Record<string, MediaEntry>, opts: { documentTitle?: string }): PostContent | undefined {
  const entries = refs.map((r) => ({ ref: r, entry: media[r.index] }));
  if (entries.length === 0 || entries.some((e) => !e.entry || (e.entry.kind === 'video' && !e.entry.ready))) return undefined;
  const alt = (ref: MediaRef, e: MediaEntry) => {
    const text = ref.altText ?? e.altText;
    return text ? { altText: text } : {};
  };
  if (entries.length > 1) {
    return { multiImage: { images: entries.map(({ ref, entry }) => ({ id: entry!.urn, ...alt(ref, entry!) })) } };
  }
  const { ref, entry } = entries[0]!;
  if (entry!.kind === 'document') return { media: { id: entry!.urn, title: opts.documentTitle ?? entry!.title ?? 'Document' } };
  if (entry!.kind === 'video') return { media: { id: entry!.urn } };
  return { media: { id: entry!.urn, ...alt(ref, entry!) } };
}

/** "https://…/files/Quarterly%20Report.pdf" → "Quarterly Report". */
export function fileTitle(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
    const name = decodeURIComponent(last).replace(/\.[A-Za-z0-9]{1,5}$/, '').trim();
    return name || 'Document';
  } catch {
    return 'Document';
  }
}

const authHeader = (run: MediaRun) => ({ Authorization: `Bearer ${run.rest.credentials.accessToken}` });

/** A 401 from an upload URL without a token error code means the signed URL expired [S]. */
function uploadUrlExpired(res: { status: number }, code: string | undefined) {
  return res.status === 401 && !(code ?? '').endsWith('_ACCESS_TOKEN');
}

async function uploadWhole(kind: 'images' | 'documents', source: MediaSource, run: MediaRun): Promise<string> {
  const version = apiVersion(run.rest.settings);
  const init = await restRequest(run.rest, {
    method: 'POST', path: `/${kind}?action=initializeUpload`, body: { initializeUploadRequest: { owner: run.author } }, phase: 'prepare',
  });
  if (!isOk(init)) throw classifyFailure(init, { step: 'prepare', apiVersion: version });
  const parse = { platform: 'linkedin', phase: 'prepare' as const };
  let uploadUrl: string;
  let urn: string;
  if (kind === 'images') {
    ({ uploadUrl, image: urn } = parseBody(imageInitSchema, init, { ...parse, doc: DOCS.images }).value);
  } else {
    ({ uploadUrl, document: urn } = parseBody(documentInitSchema, init, { ...parse, doc: DOCS.documents }).value);
  }
  // Streamed from the source: a 100 MB document is never held in memory.
  const put = await run.rest.http.request({
    method: 'PUT', url: uploadUrl, headers: { ...authHeader(run), 'Content-Type': source.mimeType },
    body: { stream: source.stream(0), length: source.size }, phase: 'prepare', timeoutMs: WHOLE_FILE_TIMEOUT_MS,
  });
  if (!isOk(put)) {
    const err = restliError(put);
    if (uploadUrlExpired(put, err.code)) throw transient({ code: 'linkedin.upload_url_expired', platformStatus: 401, message: `LinkedIn refused the ${kind} upload URL (401): it expired; the next attempt starts a new upload` });
    throw classifyFailure(put, { step: 'prepare', apiVersion: version });
  }
  return urn;
}

async function startVideo(index: number, source: MediaSource, run: MediaRun): Promise<VideoSession> {
  const res = await restRequest(run.rest, {
    method: 'POST', path: '/videos?action=initializeUpload', phase: 'prepare',
    body: { initializeUploadRequest: { owner: run.author, fileSizeBytes: source.size, uploadCaptions: false, uploadThumbnail: false } },
  });
  if (!isOk(res)) throw classifyFailure(res, { step: 'prepare', apiVersion: apiVersion(run.rest.settings) });
  const { value } = parseBody(videoInitSchema, res, { platform: 'linkedin', phase: 'prepare', doc: DOCS.videos });
  let expected = 0;
  for (const i of value.uploadInstructions) {
    if (i.firstByte !== expected || i.lastByte < i.firstByte) break;
    expected = i.lastByte + 1;
  }
  if (expected !== source.size) {
    throw transient({ code: 'linkedin.unexpected_response', message: `LinkedIn's video uploadInstructions do not cover bytes 0..${source.size - 1} in order (${DOCS.videos})` });
  }
  const session: VideoSession = {
    index, urn: value.video, uploadToken: value.uploadToken, size: source.size, instructions: value.uploadInstructions, etags: [],
    ...(value.uploadUrlsExpireAt ? { uploadUrlsExpireAt: value.uploadUrlsExpireAt } : {}),
  };
  await run.saveVideo(session);
  return session;
}

async function uploadVideo(index: number, source: MediaSource, run: MediaRun): Promise<string> {
  const version = apiVersion(run.rest.settings);
  let s = run.video?.index === index && run.video.size === source.size ? run.video : undefined;
  // Unfinished parts behind expired URLs cannot be resumed: start a new upload.
  if (s && s.etags.length < s.instructions.length && s.uploadUrlsExpireAt && s.uploadUrlsExpireAt < Date.now() + 60_000) s = undefined;
  s ??= await startVideo(index, source, run);

  let n = s.etags.length;
  for await (const part of byteRanges(source, s.instructions.slice(n))) {
    const res = await run.rest.http.request({
      method: 'PUT', url: s.instructions[n]!.uploadUrl, headers: { ...authHeader(run), 'Content-Type': 'application/octet-stream' },
      body: part, phase: 'prepare', timeoutMs: PART_TIMEOUT_MS,
    });
    if (!isOk(res)) {
      if (uploadUrlExpired(res, restliError(res).code)) {
        await run.saveVideo(null);
        throw transient({ code: 'linkedin.upload_url_expired', platformStatus: 401, message: `LinkedIn refused video part ${n + 1} (401): the upload URLs expired; the next attempt starts a new upload` });
      }
      throw classifyFailure(res, { step: 'prepare', apiVersion: version });
    }
    const etag = res.headers.get('etag');
    if (!etag) throw transient({ code: 'linkedin.unexpected_response', message: `LinkedIn answered video part ${n + 1} without an ETag (${DOCS.videos})` });
    s = { ...s, etags: [...s.etags, etag] };
    await run.saveVideo(s);
    n++;
  }

  const fin = await restRequest(run.rest, {
    method: 'POST', path: '/videos?action=finalizeUpload', phase: 'prepare',
    body: { finalizeUploadRequest: { video: s.urn, uploadToken: s.uploadToken, uploadedPartIds: s.etags } },
  });
  if (!isOk(fin)) throw classifyFailure(fin, { step: 'prepare', apiVersion: version });
  return s.urn;
}

/** True once AVAILABLE; false when still processing after this run's polls. */
async function awaitVideo(urn: string, run: MediaRun): Promise<boolean> {
  for (let poll = 1; ; poll++) {
    const res = await restRequest(run.rest, { method: 'GET', path: `/videos/${encodeUrn(urn)}`, phase: 'read' });
    if (!isOk(res)) throw classifyFailure(res, { step: 'read', apiVersion: apiVersion(run.rest.settings) });
    const video = parseBody(videoStatusSchema, res, { platform: 'linkedin', phase: 'read', doc: DOCS.videos });
    if (video.status === 'AVAILABLE') return true;
    if (video.status === 'PROCESSING_FAILED') {
      throw rejected({ code: 'linkedin.video_processing_failed', platformCode: video.processingFailureReason ?? 'PROCESSING_FAILED', message: `LinkedIn could not process the video ${urn}: ${video.processingFailureReason ?? 'no reason given'}` });
    }
    if (poll >= VIDEO_POLLS_PER_RUN) return false;
    await run.ctx.wait(VIDEO_POLL_INTERVAL_MS);
  }
}

function graceMs(run: MediaRun): number {
  const raw = run.rest.settings.extra.mediaGraceMs;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : MEDIA_GRACE_MS;
}

/**
 * 0 once an image or document may be posted; else how long to wait before looking again.
 * Polls GET /rest/images|documents/{urn} until AVAILABLE; where the token may not read it
 * (403, member tokens), waits the grace period after the upload instead.
 */
async function awaitAsset(entry: MediaEntry, run: MediaRun): Promise<number> {
  const path = entry.kind === 'document' ? 'documents' : 'images';
  const doc = entry.kind === 'document' ? DOCS.documents : DOCS.images;
  for (let poll = 1; ; poll++) {
    const res = await restRequest(run.rest, { method: 'GET', path: `/${path}/${encodeUrn(entry.urn)}`, phase: 'read' });
    if (res.status === 403) return awaitGrace(entry, run);
    if (!isOk(res)) throw classifyFailure(res, { step: 'read', apiVersion: apiVersion(run.rest.settings) });
    const asset = parseBody(assetStatusSchema, res, { platform: 'linkedin', phase: 'read', doc });
    if (asset.status === 'AVAILABLE') return 0;
    if (asset.status === 'PROCESSING_FAILED') {
      throw rejected({ code: 'linkedin.media_processing_failed', platformCode: 'PROCESSING_FAILED', message: `LinkedIn could not process the ${entry.kind} ${entry.urn}` });
    }
    if (poll >= MEDIA_POLLS_PER_RUN) return MEDIA_CHECK_AFTER_MS;
    await run.ctx.wait(MEDIA_POLL_INTERVAL_MS);
  }
}

/** Waits (in this run, as far as the worker allows) until the grace after the upload is over. */
async function awaitGrace(entry: MediaEntry, run: MediaRun): Promise<number> {
  // Uploaded before Herald kept upload times: long ago.
  const end = (entry.uploadedAt ?? 0) + graceMs(run);
  for (let i = 0; i < MEDIA_POLLS_PER_RUN; i++) {
    const left = end - Date.now();
    if (left <= 0) return 0;
    await run.ctx.wait(left);
  }
  return Math.max(0, end - Date.now());
}

/**
 * Reads contiguous byte ranges from one stream of the source, starting at the first range:
 * at most one range (4 MiB for LinkedIn video parts) plus one incoming piece is in memory.
 */
export async function* byteRanges(source: MediaSource, ranges: readonly UploadInstruction[]): AsyncGenerator<Buffer> {
  if (ranges.length === 0) return;
  const it = source.stream(ranges[0]!.firstByte)[Symbol.asyncIterator]();
  let pending: Uint8Array = new Uint8Array(0);
  try {
    for (const r of ranges) {
      const len = r.lastByte - r.firstByte + 1;
      const buf = Buffer.allocUnsafe(len);
      let filled = 0;
      while (filled < len) {
        if (pending.byteLength === 0) {
          const next = await it.next();
          if (next.done) throw transient({ code: 'linkedin.media_truncated', message: `media ended before byte ${r.lastByte}` });
          pending = next.value;
        }
        const take = Math.min(len - filled, pending.byteLength);
        buf.set(pending.subarray(0, take), filled);
        filled += take;
        pending = pending.subarray(take);
      }
      yield buf;
    }
  } finally {
    await it.return?.();
  }
}
