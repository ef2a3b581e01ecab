/**
 * A delivery → LinkedIn wire calls: media (media.ts), then POST /rest/posts (the one
 * non-idempotent write, armed first), then the optional first comment.
 * lookup() reconciles an unknown POST /rest/posts with LinkedIn's duplicate check, only where
 * that probe cannot publish a second post.
 */
import { z } from 'zod';
import { AdapterError } from '../../src/platform/errors.ts';
import { rateLimited, rejected, unknownOutcome } from './codes.ts';
import type { HttpResponse } from '../../src/platform/http.ts';
import type {
  LookupResult, PublishContext, PublishInput, PublishOutcome, ValidationIssue,
} from '../../src/platform/port.ts';
import { apiVersion, AUTHOR_URN, encodeUrn, isOk, type RestCall, restRequest } from './client.ts';
import { classifyFailure, duplicateOf, throttleRetryAt } from './errors.ts';
import { toLittle } from './little-text.ts';
import { COMMENT_MAX, countCodePoints, type LinkedInOptions } from './manifest.ts';
import {
  contentFrom, type MediaEntry, mediaEntrySchema, type MediaRun, type PostContent, prepareMedia,
  type VideoSession, videoSessionSchema,
} from './media.ts';

const commentRecordSchema = z.object({
  state: z.enum(['sending', 'posted', 'failed']),
  urn: z.string().optional(),
  status: z.number().optional(),
  message: z.string().optional(),
});
type CommentRecord = z.infer<typeof commentRecordSchema>;

/** What this adapter keeps in ctx.progress between attempts. */
export const linkedinProgress = z.object({
  media: z.record(z.string(), mediaEntrySchema).default({}),
  video: videoSessionSchema.nullable().optional(),
  postUrn: z.string().optional(),
  firstComment: commentRecordSchema.optional(),
  /** 429s this delivery met so far: each one doubles the next wait (errors.ts `throttled`). */
  throttled: z.number().int().nonnegative().optional(),
});
type Progress = z.infer<typeof linkedinProgress>;
type Ctx = PublishContext<Progress>;
type Input = PublishInput<LinkedInOptions>;

const postUrl = (urn: string) => `https://www.linkedin.com/feed/update/${urn}`;

/** Rules beyond the options schema; `options` were parsed with `linkedinOptions` already. */
export function validateLinkedIn(input: { text: string; media: unknown[]; options: LinkedInOptions }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (input.text.trim() === '' && input.media.length === 0) {
    issues.push({ field: 'text', code: 'linkedin.empty_post', message: 'a LinkedIn post needs text or media' });
  }
  const comment = input.options.firstComment;
  if (comment && countCodePoints(comment) > COMMENT_MAX) {
    issues.push({ field: 'options.firstComment', code: 'linkedin.comment_too_long', message: `a LinkedIn comment holds at most ${COMMENT_MAX} characters` });
  }
  return issues;
}

function authorOf(input: Input): string {
  const author = input.account.externalId;
  if (!AUTHOR_URN.test(author)) {
    throw rejected({ code: 'linkedin.invalid_author', message: `account externalId "${author}" is not an author URN (urn:li:person:… or urn:li:organization:…)` });
  }
  return author;
}

function postBody(input: Input, author: string, opts: LinkedInOptions, content: PostContent | undefined) {
  return {
    author,
    commentary: toLittle(input.text),
    visibility: opts.visibility ?? 'PUBLIC',
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    ...(content ? { content } : {}),
    lifecycleState: 'PUBLISHED',
    isReshareDisabledByAuthor: false,
  };
}

interface Run {
  input: Input;
  ctx: Ctx;
  rest: RestCall;
  author: string;
  opts: LinkedInOptions;
  /** ctx.progress, kept current by ctx.saveProgress. */
  progress: Progress;
  save(patch: Partial<Progress>): Promise<void>;
}

function startRun(input: Input, ctx: Ctx): Run {
  return {
    input, ctx, progress: ctx.progress,
    rest: { http: ctx.http, credentials: ctx.credentials, settings: ctx.settings },
    author: authorOf(input),
    opts: input.options,
    save: (patch) => ctx.saveProgress(patch),
  };
}

function mediaRun(run: Run): MediaRun {
  const { progress } = run;
  return {
    rest: run.rest, ctx: run.ctx, author: run.author,
    get media() {
      return progress.media;
    },
    get video() {
      return progress.video ?? undefined;
    },
    async saveMedia(index: number, entry: MediaEntry) {
      // A finalized video's upload session is finished: drop it in the same write.
      const clearVideo = progress.video?.index === index;
      await run.save({ media: { ...progress.media, [index]: entry }, ...(clearVideo ? { video: null } : {}) });
    },
    async saveVideo(session: VideoSession | null) {
      await run.save({ video: session });
    },
  };
}

const sendPost = (run: Run, body: unknown) => restRequest(run.rest, { method: 'POST', path: '/posts', body, phase: 'write' });

function createdUrn(res: HttpResponse): string {
  const urn = res.headers.get('x-restli-id');
  if (!urn) throw unknownOutcome({ code: 'linkedin.unexpected_response', platformStatus: res.status, message: `LinkedIn answered ${res.status} to POST /rest/posts without an x-restli-id header; the post probably exists` });
  return urn;
}

export async function publishLinkedIn(input: Input, ctx: Ctx): Promise<PublishOutcome> {
  try {
    return await publishOnce(input, ctx);
  } catch (err) {
    if (!AdapterError.is(err) || err.code !== 'linkedin.rate_limited') throw err;
    // Each 429 of this delivery doubles the wait, up to the next 00:00 UTC.
    const previous = ctx.progress.throttled ?? 0;
    await ctx.saveProgress({ throttled: previous + 1 });
    const now = new Date();
    const retryAt = throttleRetryAt(previous, now);
    const minutes = Math.ceil((retryAt.getTime() - now.getTime()) / 60_000);
    throw rateLimited({
      code: err.code, retryAt, ...(err.platformStatus ? { platformStatus: err.platformStatus } : {}),
      message: `${err.message}: waiting ${minutes} min (429 number ${previous + 1} for this post; LinkedIn's daily limits reset at 00:00 UTC)`,
    });
  }
}

async function publishOnce(input: Input, ctx: Ctx): Promise<PublishOutcome> {
  const run = startRun(input, ctx);
  if (run.progress.postUrn) return finish(run, run.progress.postUrn);

  const prepared = await prepareMedia(input.media, mediaRun(run), run.opts);
  if ('processing' in prepared) return { status: 'processing', ...prepared.processing };
  const body = postBody(input, run.author, run.opts, prepared.content);

  await ctx.armWrite('post');
  const res = await sendPost(run, body);
  let urn: string;
  if (res.status === 201 || res.status === 200) {
    urn = createdUrn(res);
  } else {
    const dup = duplicateOf(res);
    // An earlier attempt's answer was lost: LinkedIn naming the duplicate proves it landed.
    if (dup.urn && ctx.previousAttemptAmbiguous) urn = dup.urn;
    else {
      const err = classifyFailure(res, { step: 'post', apiVersion: apiVersion(ctx.settings) });
      // A definitive refusal proves nothing was created: disarm so a later attempt may post.
      if (err.kind !== 'unknown') await ctx.disarm();
      throw err;
    }
  }
  await run.save({ postUrn: urn });
  return finish(run, urn);
}

async function finish(run: Run, urn: string): Promise<PublishOutcome> {
  const details: Record<string, unknown> = { postUrn: urn };
  const media = Object.values(run.progress.media).map((m) => m.urn);
  if (media.length > 0) details.mediaUrns = media;
  if (run.opts.firstComment) details.firstComment = await firstComment(run, urn, run.opts.firstComment);
  return { status: 'published', receipt: { platformPostId: urn, url: postUrl(urn), details } };
}

/** Posts the first comment once; a failure is recorded, never thrown. */
async function firstComment(run: Run, postUrn: string, text: string): Promise<CommentRecord> {
  const prior = run.progress.firstComment;
  if (prior?.state === 'sending') {
    return { state: 'failed', message: 'an earlier attempt sent the first comment but never learned the outcome; not sent again to avoid a duplicate comment' };
  }
  if (prior) return prior;
  // Persist before the risky step: a crash after sending must not comment twice.
  await run.save({ firstComment: { state: 'sending' } });
  let record: CommentRecord;
  try {
    const res = await restRequest(run.rest, {
      method: 'POST', path: `/socialActions/${encodeUrn(postUrn)}/comments`, phase: 'write',
      body: { actor: run.author, object: postUrn, message: { text } },
    });
    if (isOk(res)) {
      const id = res.headers.get('x-restli-id') ?? undefined;
      record = { state: 'posted', ...(id ? { urn: id } : {}), status: res.status };
    } else {
      const err = classifyFailure(res, { step: 'comment', apiVersion: apiVersion(run.ctx.settings) });
      record = { state: 'failed', status: res.status, message: `${err.code}: ${err.message}` };
    }
  } catch (err) {
    record = { state: 'failed', message: AdapterError.is(err) ? `${err.code}: ${err.message}` : String(err) };
  }
  await run.save({ firstComment: record });
  return record;
}

/**
 * LinkedIn's duplicate window is not published; deleted posts still count as duplicates for
 * 24–48 h [S composio#2710]. The re-POST probe is trusted only this soon after the armed
 * write, far inside that window, and Herald's automatic checks (5 s, 60 s, 10 min after the
 * unknown outcome) all fall inside it. Older: an admin decides.
 */
export const DUPLICATE_PROBE_MAX_AGE_MS = 15 * 60_000;

const inconclusive = (message: string): LookupResult => ({ status: 'inconclusive', message });

/**
 * Reconciles an unknown POST /rest/posts. Member tokens have no read-only existence check,
 * so this sends the identical post again and lets LinkedIn's duplicate check answer: 422
 * DUPLICATE_POST names the original URN, and a 201 means the first one never landed and
 * this one did. That probe is itself a write, so it is sent only when it cannot publish a
 * second post: the commentary is non-empty (media-only posts are never refused as
 * duplicates) and the armed write is recent (DUPLICATE_PROBE_MAX_AGE_MS). The URN LinkedIn
 * names is read back where the token may read posts: a deleted "ghost" proves nothing.
 */
export async function lookupLinkedIn(input: Input, ctx: Ctx, armed: { label: string; at: string }): Promise<LookupResult> {
  if (armed.label !== 'post') return inconclusive(`unknown armed write "${armed.label}"`);
  const run = startRun(input, ctx);
  if (run.progress.postUrn) return { status: 'landed' };
  if (input.text.trim() === '') {
    return inconclusive('the post has no text, so LinkedIn\'s duplicate check cannot tell whether it exists, and sending it again could publish it twice; check the LinkedIn page, then resolve this delivery');
  }
  const age = Date.now() - Date.parse(armed.at);
  if (!(age <= DUPLICATE_PROBE_MAX_AGE_MS)) {
    return inconclusive(`the post was sent ${Math.round(age / 60_000)} min ago, too long for LinkedIn's duplicate check to be relied on, and sending it again could publish it twice; check the LinkedIn page, then resolve this delivery`);
  }
  const content = contentFrom(input.media, run.progress.media, run.opts);
  if (input.media.length > 0 && !content) {
    return inconclusive('the media of the armed post are not all in progress; cannot rebuild the identical post');
  }
  let res: HttpResponse;
  try {
    res = await sendPost(run, postBody(input, run.author, run.opts, content));
  } catch (err) {
    const why = AdapterError.is(err) ? `${err.code}: ${err.message}` : String(err);
    return inconclusive(`re-sending the post to use LinkedIn's duplicate check failed (${why})`);
  }
  if (res.status === 201 || res.status === 200) {
    const urn = res.headers.get('x-restli-id');
    if (!urn) return inconclusive('LinkedIn created the post again but sent no x-restli-id; the next check will see it as a duplicate');
    await run.save({ postUrn: urn });
    return { status: 'landed' };
  }
  const dup = duplicateOf(res);
  if (dup.urn) {
    const problem = await unverifiedDuplicate(run, dup.urn);
    if (problem) return inconclusive(problem);
    await run.save({ postUrn: dup.urn });
    return { status: 'landed' };
  }
  const err = classifyFailure(res, { step: 'post', apiVersion: apiVersion(ctx.settings) });
  const hint = dup.found ? 'LinkedIn said duplicate without naming the original post' : `${err.code}: ${err.message}`;
  return inconclusive(`re-sending the identical post did not settle whether it exists (${hint})`);
}

/**
 * Reads the post LinkedIn named as the duplicate (GET /rest/posts/{urn}). Returns why it
 * cannot be taken as this delivery's post, or undefined when it can: it is there, or the
 * token may not read posts (403: reading needs r_member_social / r_organization_social).
 */
async function unverifiedDuplicate(run: Run, urn: string): Promise<string | undefined> {
  let res: HttpResponse;
  try {
    res = await restRequest(run.rest, { method: 'GET', path: `/posts/${encodeUrn(urn)}`, phase: 'read' });
  } catch (err) {
    return `LinkedIn named ${urn} as the existing post, but reading it failed (${AdapterError.is(err) ? err.code : String(err)})`;
  }
  if (isOk(res) || res.status === 403) return undefined;
  if (res.status === 404 || res.status === 410) {
    return `LinkedIn named ${urn} as the existing post, but it is gone (a deleted post still counts as a duplicate for a while); check the LinkedIn page, then resolve this delivery`;
  }
  return `LinkedIn named ${urn} as the existing post, but reading it answered ${res.status}`;
}
