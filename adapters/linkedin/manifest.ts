import { AUTHOR_URN } from './client.ts';
/**
 * LinkedIn limits and capabilities as data. Every number is a setting with its source;
 * [V] official docs, [S] third-party code or reports, [U] unverified (see README.md).
 */
import { z } from 'zod';
import type { PlatformManifest } from '../../src/platform/port.ts';
import { DOCS } from './client.ts';
import { commentaryLength } from './little-text.ts';

const MB = 1024 * 1024;

/**
 * commentary ≤ 3000 characters [S Postiz maxLength]. LinkedIn does not say what it counts; the
 * API validates the field it receives, so Herald counts the commentary as sent (little format:
 * escapes and templates included) in UTF-16 units, the strictest reading: a text Herald accepts
 * is never refused for its length.
 */
export const COMMENTARY_MAX = 3000;
/** Comment text limit, widely cited as 1,250 characters [U]. */
export const COMMENT_MAX = 1250;
/** multiImage takes 2–20 images [U]. */
export const MULTI_IMAGE_MAX = 20;

export const countCodePoints = (text: string) => [...text].length;

export const linkedinOptions = z.strictObject({
  /** PUBLIC (default) | CONNECTIONS (member authors only) | LOGGED_IN. */
  visibility: z.enum(['PUBLIC', 'CONNECTIONS', 'LOGGED_IN']).optional(),
  /** A document post needs a title; default: the file name without its extension. */
  documentTitle: z.string().trim().min(1).optional(),
  /** Posted as the author's comment right after the post; its failure never fails the delivery. */
  firstComment: z.string().trim().min(1).optional(),
});
export type LinkedInOptions = z.infer<typeof linkedinOptions>;

export const linkedinManifest: PlatformManifest<typeof linkedinOptions> = {
  platform: 'linkedin',
  displayName: 'LinkedIn',
  docs: DOCS.posts,
  text: {
    maxLength: COMMENTARY_MAX,
    unit: 'UTF-16 units of the commentary as sent in LinkedIn\'s little format (each escaped reserved character counts 2, a #hashtag 13 more, an emoji 2) [U: LinkedIn does not say what it counts; this is the strictest reading]',
    count: commentaryLength,
    required: false,
  },
  media: {
    maxItems: MULTI_IMAGE_MAX,
    kinds: {
      // 5 MB and ≤ 36,152,320 pixels [S Ayrshare, Postiz]; JPG/PNG/GIF [S].
      image: { maxCount: MULTI_IMAGE_MAX, maxBytes: 5 * MB, mimeTypes: ['image/jpeg', 'image/png'] },
      gif: { maxCount: MULTI_IMAGE_MAX, maxBytes: 5 * MB, mimeTypes: ['image/gif'] },
      // MP4, 3 s – 30 min, 75 KB – 500 MB for organic posts [S Ayrshare; U].
      video: { maxCount: 1, maxBytes: 500 * MB, mimeTypes: ['video/mp4'] },
      // PDF/PPT/PPTX/DOC/DOCX, 100 MB, 300 pages [S Ayrshare].
      document: {
        maxCount: 1,
        maxBytes: 100 * MB,
        mimeTypes: [
          'application/pdf',
          'application/msword',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'application/vnd.ms-powerpoint',
          'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        ],
      },
    },
    // One video, or one document, or 1–20 images; video never mixes with other media [S Postiz].
    mixing: 'exclusive',
    required: false,
  },
  capabilities: {
    threads: false,
    firstComment: true,
    idempotentWrite: false,
    // Re-sending the identical post answers 422 DUPLICATE_POST naming the original URN.
    lookup: true,
    handoff: false,
    // Partner refresh tokens keep a fixed 365-day expiry from first consent [V].
    refresh: 'static',
    oauth: true,
  },
  options: linkedinOptions,
  // Nothing to configure per account: the author is the externalId.
  accountSettings: z.strictObject({}),
  externalIdDescription: 'author URN (urn:li:person:… or urn:li:organization:…)',
  externalId: z.string().regex(AUTHOR_URN),
};
