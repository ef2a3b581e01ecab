/**
 * YouTube metadata rules the manifest data cannot express. Numbers from the videos
 * resource docs (https://developers.google.com/youtube/v3/docs/videos#properties):
 * title ≤ 100 characters, description ≤ 5000 bytes, no `<` / `>` in either, tags ≤ 500
 * characters in total, `publishAt` only for private videos.
 */
import { z } from 'zod';
import type { ValidationIssue } from '../../src/platform/port.ts';

export const TITLE_MAX_CHARS = 100;
export const DESCRIPTION_MAX_BYTES = 5000;
export const TAGS_MAX_CHARS = 500;

const TITLE_REQUIRED = 'YouTube needs a video title (options.title).';

export const youtubeOptions = z.strictObject({
  title: z.string({ error: TITLE_REQUIRED }).refine((t) => t.trim() !== '', TITLE_REQUIRED),
  privacy: z.enum(['public', 'private', 'unlisted']).optional(),
  tags: z.array(z.string()).optional(),
  categoryId: z.string().regex(/^\d+$/, 'categoryId is a numeric video category id, e.g. "22"').optional(),
  madeForKids: z.boolean().optional(),
  /** RFC 3339 with an offset or `Z`; YouTube makes the private video public at that time. */
  publishAt: z.iso.datetime({ offset: true }).optional(),
  notifySubscribers: z.boolean().optional(),
});
export type YouTubeOptions = z.infer<typeof youtubeOptions>;

export const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** Characters as code points (an emoji is one character, not two UTF-16 units). */
export const codePoints = (s: string) => [...s].length;
const hasAngleBrackets = (s: string) => /[<>]/.test(s);

/**
 * Tag budget as the videos docs count it: the characters of every tag, plus one comma
 * between tags, plus 2 for a tag containing a space (it is counted as if wrapped in quotes).
 * `["Foo-Baz"]` = 7; `["Foo Baz"]` = 9; `["a", "b c"]` = 1 + 1 + 5 = 7.
 */
export function countTagCharacters(tags: readonly string[]): number {
  let total = Math.max(0, tags.length - 1);
  for (const tag of tags) total += codePoints(tag) + (tag.includes(' ') ? 2 : 0);
  return total;
}

/** Rules beyond the options schema; `options` were parsed with `youtubeOptions` already. */
export function validateYouTube(input: { text: string; media: readonly unknown[]; options: YouTubeOptions }, now = new Date()): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, code: string, message: string) => issues.push({ field, code, message });

  if (input.media.length !== 1) add('media', 'video_required', 'A YouTube upload carries exactly one video.');

  const description = input.text ?? '';
  if (utf8Bytes(description) > DESCRIPTION_MAX_BYTES) {
    add('text', 'description_too_long', `The description is ${utf8Bytes(description)} UTF-8 bytes; YouTube allows ${DESCRIPTION_MAX_BYTES}.`);
  }
  if (hasAngleBrackets(description)) add('text', 'description_invalid_characters', 'YouTube descriptions cannot contain "<" or ">".');

  const o = input.options;

  if (codePoints(o.title) > TITLE_MAX_CHARS) {
    add('options.title', 'title_too_long', `The title is ${codePoints(o.title)} characters; YouTube allows ${TITLE_MAX_CHARS}.`);
  }
  if (hasAngleBrackets(o.title)) add('options.title', 'title_invalid_characters', 'YouTube titles cannot contain "<" or ">".');

  if (o.tags) {
    const used = countTagCharacters(o.tags);
    if (used > TAGS_MAX_CHARS) {
      add('options.tags', 'tags_too_long', `Tags use ${used} characters (commas count, a tag with a space counts 2 more); YouTube allows ${TAGS_MAX_CHARS}.`);
    }
  }

  if (o.publishAt !== undefined) {
    if ((o.privacy ?? 'public') !== 'private') {
      add('options.publishAt', 'publish_at_requires_private', 'YouTube schedules only private videos: set options.privacy to "private" with publishAt.');
    }
    const at = Date.parse(o.publishAt);
    if (!Number.isNaN(at) && at <= now.getTime()) {
      add('options.publishAt', 'publish_at_in_past', 'options.publishAt must be in the future (a past time publishes at once).');
    }
  }
  return issues;
}
