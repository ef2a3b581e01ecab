/**
 * videos.insert as one resumable session. Order of safety:
 *  1. a video id in progress → already published;
 *  2. a session URI in progress → probe it (200/201 → the video, 308 → resume, 404/410 → gone);
 *  3. otherwise start a session and persist its URI before the first byte.
 * A second session is a second video, so a stored session is never abandoned while the
 * final chunk may have landed: that case is `unknown` (youtube.session_lost).
 */
import { rejected, transient, unknownOutcome } from './codes.ts';
import type { LookupResult, PublishContext, PublishInput, PublishOutcome } from '../../src/platform/port.ts';
import { WATCH_URL, type UploadSession, type VideoResource, type YouTubeProgress } from './client.ts';
import { probeSession, startSession, uploadFrom, type SessionMetadata } from './resumable.ts';
import type { YouTubeOptions } from './validate.ts';

export const FINAL_CHUNK_LABEL = 'final-chunk';

type Ctx = PublishContext<YouTubeProgress>;

/** Herald options → the `video` resource body of step 1 (youtube.md "Herald options map"). */
export function buildMetadata(text: string, o: YouTubeOptions): SessionMetadata {
  const snippet: Record<string, unknown> = { title: o.title, description: text };
  if (o.tags && o.tags.length > 0) snippet.tags = o.tags;
  if (o.categoryId) snippet.categoryId = o.categoryId;
  // YouTube's own default is public; the made-for-kids declaration defaults to "no" (as Postiz does).
  const status: Record<string, unknown> = { privacyStatus: o.privacy ?? 'public', selfDeclaredMadeForKids: o.madeForKids ?? false };
  if (o.publishAt) status.publishAt = o.publishAt;
  return { snippet, status };
}

function receipt(videoId: string, details: Record<string, unknown>): PublishOutcome {
  return { status: 'published', receipt: { platformPostId: videoId, url: `${WATCH_URL}${encodeURIComponent(videoId)}`, details } };
}

async function finish(ctx: Ctx, video: VideoResource, requestedPrivacy?: string): Promise<PublishOutcome> {
  const privacyStatus = video.status?.privacyStatus;
  await ctx.saveProgress({ videoId: video.id, privacyStatus });
  const details: Record<string, unknown> = { privacyStatus, uploadStatus: video.status?.uploadStatus };
  if (video.status?.publishAt) details.publishAt = video.status.publishAt;
  if (requestedPrivacy && privacyStatus && privacyStatus !== requestedPrivacy) {
    // Unaudited API projects (created after 2020-07-28) are locked to private uploads [V].
    details.requestedPrivacy = requestedPrivacy;
    ctx.log.warn({ videoId: video.id, requestedPrivacy, privacyStatus }, 'YouTube stored the video with a different privacy (unaudited API project?)');
  }
  return receipt(video.id, details);
}

function sessionLost(session: UploadSession, status: number): Error {
  return unknownOutcome({
    code: 'youtube.session_lost',
    platformStatus: status,
    message: `the upload session answered ${status} (expired or unknown) after its final chunk may have been sent; the video may exist — check the channel's uploads before publishing again (session started ${session.startedAt})`,
  });
}

export async function publishYouTube(input: PublishInput<YouTubeOptions>, ctx: Ctx): Promise<PublishOutcome> {
  const progress = ctx.progress;
  if (progress.videoId) return receipt(progress.videoId, { privacyStatus: progress.privacyStatus, reconciled: true });

  const { options } = input;
  const ref = input.media[0];
  if (input.media.length !== 1 || !ref) {
    throw rejected({ code: 'youtube.video_required', message: `a YouTube upload carries exactly one video (got ${input.media.length} media items)` });
  }
  const source = await ctx.openMedia(ref);
  if (source.kind !== 'video' && source.mimeType !== 'application/octet-stream') {
    throw rejected({ code: 'youtube.video_required', message: `YouTube accepts video/* media only (got ${source.mimeType})` });
  }
  const requested = options.privacy ?? 'public';

  let session: UploadSession | undefined = progress.session ?? undefined;
  let offset = 0;
  if (session) {
    const probe = await probeSession(ctx, session);
    if (probe.state === 'complete') return finish(ctx, probe.video, requested);
    if (probe.state === 'incomplete') offset = probe.next;
    else if (ctx.previousAttemptAmbiguous || session.finalChunkAt) throw sessionLost(session, probe.status);
    else {
      ctx.log.info({ status: probe.status }, 'stored YouTube upload session is gone before its final chunk; starting a new one');
      session = undefined;
    }
  }

  // Round 2 only when the session vanished mid-run; this run saw it incomplete (created it
  // or probed 308) and every answer since was definitive, so nothing was created.
  for (let round = 0; round < 2; round++) {
    if (!session) {
      session = await startSession(ctx, { metadata: buildMetadata(input.text, options), source, notifySubscribers: options.notifySubscribers });
      // Persist the session URI before the first byte: after a crash it is the only way back.
      await ctx.saveProgress({ session });
      offset = 0;
    }
    const current: UploadSession = session;
    const result = await uploadFrom(ctx, current, source, offset, async () => {
      if (!session?.finalChunkAt) {
        session = { ...current, finalChunkAt: new Date().toISOString() };
        await ctx.saveProgress({ session });
      }
      await ctx.armWrite(FINAL_CHUNK_LABEL);
    });
    if (result.state === 'complete') return finish(ctx, result.video, requested);
    ctx.log.warn({ status: result.status, round }, 'YouTube upload session disappeared during the upload');
    await ctx.saveProgress({ session: null });
    session = undefined;
  }
  throw transient({ code: 'youtube.session_expired', message: 'YouTube upload sessions kept disappearing during the upload; nothing was published' });
}

/**
 * Reconcile an armed final chunk: the stored session knows whether the upload completed.
 * 200/201 → the video exists (id saved); 308 → it does not (resuming is safe);
 * 404/410 → the session is gone and cannot tell.
 */
export async function lookupYouTube(_input: PublishInput<YouTubeOptions>, ctx: Ctx, armed: { label: string; at: string }): Promise<LookupResult> {
  const progress = ctx.progress;
  if (progress.videoId) return { status: 'landed' };
  // The session URI is saved before any byte is sent: without one, nothing was uploaded.
  if (!progress.session) return { status: 'absent' };
  const probe = await probeSession(ctx, progress.session);
  if (probe.state === 'complete') {
    await ctx.saveProgress({ videoId: probe.video.id, privacyStatus: probe.video.status?.privacyStatus });
    return { status: 'landed' };
  }
  if (probe.state === 'incomplete') return { status: 'absent' };
  return {
    status: 'inconclusive',
    message: `the YouTube upload session answered ${probe.status} to the probe for "${armed.label}"; it expired, so whether the video was created is unknown — check the channel's uploads`,
  };
}
