/**
 * X limits and capabilities as data. Each number names its source; X has changed its caps
 * several times, so these are settings, not laws (see README.md).
 */
import { z } from 'zod';
import type { MediaKind, PlatformManifest } from '../../src/platform/port.ts';
import { countWeighted, MAX_WEIGHTED_LENGTH } from './text.ts';

const MB = 1024 * 1024;

/** docs.x.com/x-api/media/introduction: image 5 MB, GIF 15 MB, video 512 MB. */
export const MEDIA_LIMITS = {
  image: { maxCount: 4, maxBytes: 5 * MB, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
  gif: { maxCount: 1, maxBytes: 15 * MB, mimeTypes: ['image/gif'] },
  video: { maxCount: 1, maxBytes: 512 * MB, mimeTypes: ['video/mp4', 'video/quicktime'] },
} as const;

/** POST /2/tweets `media.media_ids`: 1–4 items (CreatePostsRequest, openapi). */
export const MAX_MEDIA_PER_POST = 4;
/** Herald's own cap on thread length; X documents none for reply chains. */
export const MAX_THREAD_ITEMS = 25;
/** POST /2/media/metadata `alt_text.text`: at most 1000 characters (docs.x.com create-media-metadata). */
export const MAX_ALT_TEXT = 1000;

const threadMedia = z
  .object({
    url: z.string().optional(),
    mediaId: z.string().optional(),
    altText: z.string().max(MAX_ALT_TEXT).optional(),
  })
  .strict()
  .refine((m) => m.url !== undefined || m.mediaId !== undefined, { message: 'needs a url or a mediaId' });

export const xOptionsSchema = z
  .object({
    /** POST /2/tweets `reply_settings`; omitted means everyone can reply. */
    replySettings: z.enum(['following', 'mentionedUsers', 'subscribers', 'verified']).optional(),
    /** Posted after the main post as a reply chain, one POST /2/tweets per item. */
    thread: z
      .array(z.object({ text: z.string(), media: z.array(threadMedia).max(MAX_MEDIA_PER_POST).optional() }).strict())
      .max(MAX_THREAD_ITEMS)
      .optional(),
  })
  .strict();

export type XOptions = z.infer<typeof xOptionsSchema>;

/**
 * docs.x.com best-practices: "up to 4 photos, 1 animated GIF or 1 video in a Post".
 * Returns a sentence for the creator, or undefined when the combination is allowed.
 */
export function mediaCombinationProblem(kinds: readonly MediaKind[]): string | undefined {
  if (kinds.length > MAX_MEDIA_PER_POST) return `X allows at most ${MAX_MEDIA_PER_POST} media items per post; this one has ${kinds.length}.`;
  const unsupported = kinds.find((k) => !(k in MEDIA_LIMITS));
  if (unsupported) return `X cannot attach a ${unsupported}; use images, one GIF or one video.`;
  const gifsOrVideos = kinds.filter((k) => k === 'gif' || k === 'video').length;
  if (gifsOrVideos > 0 && kinds.length > 1) return 'X allows up to 4 images, or 1 GIF, or 1 video in a post, not a mix.';
  return undefined;
}

export const xManifest: PlatformManifest<typeof xOptionsSchema> = {
  platform: 'x',
  displayName: 'X (Twitter)',
  docs: 'https://docs.x.com/x-api/posts/create-post',
  text: {
    // docs.x.com fundamentals/counting-characters; twitter-text config/v3.json.
    maxLength: MAX_WEIGHTED_LENGTH,
    unit: 'weighted characters (twitter-text v3: CJK and emoji count 2, each link 23, NFC-normalized)',
    count: countWeighted,
    // A post may be media only (CreatePostsRequest: text is required unless media is present).
    required: false,
  },
  media: {
    maxItems: MAX_MEDIA_PER_POST,
    kinds: MEDIA_LIMITS,
    mixing: 'exclusive',
    required: false,
  },
  capabilities: {
    threads: true,
    firstComment: false,
    // No idempotency key on POST /2/tweets; a re-POST gets 403 duplicate without the id.
    idempotentWrite: false,
    lookup: true,
    handoff: false,
    // Refresh tokens are single-use and rotate on every refresh.
    refresh: 'rotating',
    oauth: true,
  },
  options: xOptionsSchema,
  accountSettings: z.object({}),
  externalIdDescription: 'The numeric X user id (data.id of GET /2/users/me), not the @handle.',
  externalId: z.string().regex(/^\d{1,20}$/),
};
