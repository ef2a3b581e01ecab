/**
 * Media for X through the v2 dedicated upload endpoints:
 * initialize → append (1 MiB multipart segments, in order) → finalize → poll STATUS.
 * Nothing is public until POST /2/tweets, so every step here is safe to repeat; finalized
 * ids are persisted so a retry reuses them instead of uploading again.
 * https://docs.x.com/x-api/media/quickstart/media-upload-chunked
 */
import { z } from 'zod';
import { rejected } from './codes.ts';
import { chunked, type MediaSource } from '../../src/platform/media.ts';
import { multipartBody } from '../../src/platform/multipart.ts';
import type { MediaRef, PublishContext } from '../../src/platform/port.ts';
import { DOCS, mediaFinalizeResponse, mediaInitResponse, parseX, xCall, type ProcessingInfo } from './client.ts';
import { MEDIA_LIMITS, mediaCombinationProblem } from './manifest.ts';

/** Segment size used by twitter-api-v2 and Postiz; v1.1 capped APPEND at 5 MB, v2 is undocumented. */
export const SEGMENT_BYTES = 1024 * 1024;
/** Longest this run waits for X's processing before handing back `processing` to the worker. */
const MAX_WAIT_PER_RUN_MS = 60_000;
/** Re-upload a saved id this long before X's `expires_after_secs` runs out. */
const EXPIRY_MARGIN_MS = 10 * 60 * 1000;

const CATEGORY = { image: 'tweet_image', gif: 'tweet_gif', video: 'tweet_video' } as const;
type XMediaKind = keyof typeof CATEGORY;

export const savedMediaSchema = z.object({
  id: z.string(),
  kind: z.enum(['image', 'gif', 'video']),
  /** Finalized and, for GIF / video, processing succeeded. */
  ready: z.boolean(),
  expiresAt: z.string().optional(),
  /** Alt text still to send once the media is ready. */
  altPending: z.string().optional(),
});
export type SavedMedia = z.infer<typeof savedMediaSchema>;

/** Persisted per delivery; keys are `<item>:<media index>` (item 0 = main post, n = thread item n). */
export interface MediaProgress {
  mediaIds: Record<string, SavedMedia>;
}

export interface WaitBudget {
  spentMs: number;
}

export type PreparedMedia = { status: 'ready'; ids: string[] } | { status: 'processing'; checkAfterMs: number };

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

async function openChecked(ctx: PublishContext, ref: MediaRef, label: string): Promise<MediaSource & { kind: XMediaKind }> {
  const source = await ctx.openMedia(ref);
  if (!(source.kind in MEDIA_LIMITS)) {
    throw rejected({ code: 'x.media_unsupported', message: `${label}: X cannot attach a ${source.kind} (${source.mimeType}).` });
  }
  const limits = MEDIA_LIMITS[source.kind as XMediaKind];
  const type = source.mimeType.toLowerCase().split(';')[0]!.trim();
  if (!(limits.mimeTypes as readonly string[]).includes(type)) {
    throw rejected({ code: 'x.media_type_unsupported', message: `${label}: X does not accept ${type}; use ${limits.mimeTypes.join(', ')}.` });
  }
  if (source.size <= 0) throw rejected({ code: 'x.media_empty', message: `${label}: the file is empty.` });
  if (source.size > limits.maxBytes) {
    throw rejected({
      code: 'x.media_too_large',
      message: `${label}: ${mb(source.size)} is over X's ${mb(limits.maxBytes)} limit for a ${source.kind}.`,
    });
  }
  return source as MediaSource & { kind: XMediaKind };
}

async function upload(ctx: PublishContext, source: MediaSource & { kind: XMediaKind }) {
  const token = ctx.credentials.accessToken;
  const init = parseX(
    mediaInitResponse,
    await xCall(ctx.http, {
      method: 'POST', path: '/2/media/upload/initialize', token, phase: 'prepare', op: 'upload',
      json: { media_type: source.mimeType, total_bytes: source.size, media_category: CATEGORY[source.kind] },
    }),
    'prepare',
    DOCS.mediaInitialize,
  );
  const id = init.data.id;
  let segmentIndex = 0;
  // chunked() re-slices the stream into one reused 1 MiB buffer: each segment is sent in
  // full before the next is read, so one segment is in memory at a time.
  for await (const segment of chunked(source.stream(0), SEGMENT_BYTES, { reuse: true })) {
    const form = multipartBody([
      { name: 'segment_index', value: String(segmentIndex) },
      { name: 'media', data: segment, filename: 'media', contentType: 'application/octet-stream' },
    ]);
    await xCall(ctx.http, {
      method: 'POST', path: `/2/media/upload/${encodeURIComponent(id)}/append`, token, phase: 'prepare', op: 'upload',
      body: form.parts, headers: { 'content-type': form.contentType },
    });
    segmentIndex += 1;
  }
  const fin = parseX(
    mediaFinalizeResponse,
    await xCall(ctx.http, { method: 'POST', path: `/2/media/upload/${encodeURIComponent(id)}/finalize`, token, phase: 'prepare', op: 'upload' }),
    'prepare',
    DOCS.mediaFinalize,
  );
  const expiresAfter = fin.data.expires_after_secs ?? init.data.expires_after_secs;
  return {
    id,
    info: fin.data.processing_info,
    expiresAt: expiresAfter === undefined ? undefined : new Date(Date.now() + expiresAfter * 1000).toISOString(),
  };
}

function processingDone(info: ProcessingInfo | undefined, label: string): boolean {
  if (!info || info.state === 'succeeded') return true;
  if (info.state === 'failed') {
    const why = info.error?.message ?? info.error?.name ?? 'no reason given';
    throw rejected({ code: 'x.media_processing_failed', platformCode: info.error?.name, message: `${label}: X could not process the file (${why}).` });
  }
  return false;
}

/**
 * Poll STATUS, waiting `check_after_secs` between polls, until the media is ready or this
 * run's wait budget is spent (then the worker is told to call again later).
 */
async function waitReady(
  ctx: PublishContext, id: string, firstWaitSecs: number, budget: WaitBudget, label: string,
): Promise<{ ready: true } | { ready: false; checkAfterMs: number }> {
  let waitMs = Math.max(0, firstWaitSecs * 1000);
  for (;;) {
    if (budget.spentMs + waitMs > MAX_WAIT_PER_RUN_MS) return { ready: false, checkAfterMs: Math.max(waitMs, 1000) };
    if (waitMs > 0) {
      await ctx.wait(waitMs);
      budget.spentMs += waitMs;
    }
    const status = parseX(
      mediaFinalizeResponse,
      await xCall(ctx.http, {
        method: 'GET', path: '/2/media/upload', query: { command: 'STATUS', media_id: id },
        token: ctx.credentials.accessToken, phase: 'read', op: 'status',
      }),
      'read',
      DOCS.mediaStatus,
    );
    const info = status.data.processing_info;
    if (processingDone(info, label)) return { ready: true };
    waitMs = Math.max(1, info?.check_after_secs ?? 1) * 1000;
  }
}

/** POST /2/media/metadata with alt text (≤1000 chars). https://docs.x.com/x-api/media/create-media-metadata */
async function sendAltText(ctx: PublishContext, id: string, text: string): Promise<void> {
  await xCall(ctx.http, {
    method: 'POST', path: '/2/media/metadata', token: ctx.credentials.accessToken, phase: 'prepare', op: 'metadata',
    json: { id, metadata: { alt_text: { text } } },
  });
}

function usable(saved: SavedMedia | undefined, now: number): saved is SavedMedia {
  return saved !== undefined && (saved.expiresAt === undefined || Date.parse(saved.expiresAt) - EXPIRY_MARGIN_MS > now);
}

/**
 * Make every media item of one post ready and return X media ids in order. Saved ids are
 * reused; each finalized id is persisted before anything else happens to it.
 */
export async function prepareMedia(
  ctx: PublishContext, progress: MediaProgress, item: number, refs: MediaRef[], budget: WaitBudget,
): Promise<PreparedMedia> {
  const keyOf = (k: number) => `${item}:${k}`;
  const labelOf = (k: number) => (item === 0 ? `Media ${k + 1}` : `Thread item ${item}, media ${k + 1}`);
  const persist = () => ctx.saveProgress({ mediaIds: { ...progress.mediaIds } });
  const now = Date.now();
  // Open everything first so a forbidden combination fails before any byte is uploaded.
  const slots: { saved?: SavedMedia; source?: MediaSource & { kind: XMediaKind }; ref: MediaRef }[] = [];
  for (const [k, ref] of refs.entries()) {
    const saved = progress.mediaIds[keyOf(k)];
    slots.push(usable(saved, now) ? { saved, ref } : { source: await openChecked(ctx, ref, labelOf(k)), ref });
  }
  const problem = mediaCombinationProblem(slots.map((s) => (s.saved ? s.saved.kind : s.source!.kind)));
  if (problem) throw rejected({ code: 'x.media_combination', message: item === 0 ? problem : `Thread item ${item}: ${problem}` });

  const ids: string[] = [];
  for (const [k, slot] of slots.entries()) {
    let saved = slot.saved;
    let firstWaitSecs = 0;
    if (!saved) {
      const source = slot.source!;
      const up = await upload(ctx, source);
      const alt = slot.ref.altText ?? source.altText;
      // X documents alt text for images and GIFs only; a video's alt text is not sent.
      const altPending = alt && source.kind !== 'video' ? alt : undefined;
      saved = { id: up.id, kind: source.kind, ready: processingDone(up.info, labelOf(k)), expiresAt: up.expiresAt, altPending };
      firstWaitSecs = up.info?.check_after_secs ?? 1;
      progress.mediaIds[keyOf(k)] = saved;
      await persist();
    }
    if (!saved.ready) {
      const r = await waitReady(ctx, saved.id, firstWaitSecs, budget, labelOf(k));
      if (!r.ready) return { status: 'processing', checkAfterMs: r.checkAfterMs };
      saved = { ...saved, ready: true };
      progress.mediaIds[keyOf(k)] = saved;
      await persist();
    }
    if (saved.altPending) {
      await sendAltText(ctx, saved.id, saved.altPending);
      saved = { ...saved, altPending: undefined };
      progress.mediaIds[keyOf(k)] = saved;
      await persist();
    }
    ids.push(saved.id);
  }
  return { status: 'ready', ids };
}
