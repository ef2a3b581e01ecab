/**
 * YouTube limits and capabilities as data. Sources: videos resource and insert docs
 * (https://developers.google.com/youtube/v3/docs/videos/insert), shared/platforms/youtube.md.
 */
import { z } from 'zod';
import type { PlatformManifest } from '../../src/platform/port.ts';
import { DESCRIPTION_MAX_BYTES, utf8Bytes, youtubeOptions } from './validate.ts';

/**
 * "Maximum file size: 256GB" [U standard, videos.insert media upload]. Google's client
 * libraries read the discovery document's "256GB" with binary multiples (2^30).
 */
export const MAX_VIDEO_BYTES = 256 * 1024 ** 3;

/** videos.insert accepts `video/*` or `application/octet-stream`; the common containers are listed for exact matchers. */
const VIDEO_TYPES = [
  'video/*', 'video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska', 'video/x-msvideo', 'video/mpeg',
  'video/x-ms-wmv', 'video/x-flv', 'video/3gpp', 'video/mp2t',
] as const;

export const youtubeManifest: PlatformManifest<typeof youtubeOptions> = {
  platform: 'youtube',
  displayName: 'YouTube',
  docs: 'https://developers.google.com/youtube/v3/docs/videos/insert',
  text: {
    // Herald's post text becomes snippet.description: 5000 bytes, not characters [V].
    maxLength: DESCRIPTION_MAX_BYTES,
    unit: 'UTF-8 bytes (the video description)',
    count: utf8Bytes,
    required: false,
  },
  media: {
    maxItems: 1,
    kinds: { video: { maxCount: 1, maxBytes: MAX_VIDEO_BYTES, mimeTypes: VIDEO_TYPES } },
    mixing: 'exclusive',
    required: true,
  },
  capabilities: {
    threads: false,
    firstComment: false,
    // No idempotency key: a second upload session is a second video. The persisted session
    // URI plus the `bytes */N` probe is how a lost answer is reconciled (lookup).
    idempotentWrite: false,
    lookup: true,
    handoff: false,
    refresh: 'static',
    oauth: true,
  },
  options: youtubeOptions,
  accountSettings: z.object({}),
  externalIdDescription: 'The YouTube channel id (UC…) of the connected Google account.',
};
