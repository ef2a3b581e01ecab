/**
 * Wire constants and zod schemas for the YouTube Data API v3 and Google OAuth. Every URL
 * is the real one; the transport (`ctx.http`) applies the PLATFORM_YOUTUBE_URL override,
 * including to the upload session URI Google returns in `Location`.
 */
import { z } from 'zod';

export const UPLOAD_URL = 'https://www.googleapis.com/upload/youtube/v3/videos';
export const CHANNELS_URL = 'https://www.googleapis.com/youtube/v3/channels';
export const TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const AUTHORIZE_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
export const WATCH_URL = 'https://www.youtube.com/watch?v=';

export const DOCS = {
  resumable: 'https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol',
  videos: 'https://developers.google.com/youtube/v3/docs/videos',
  insert: 'https://developers.google.com/youtube/v3/docs/videos/insert',
  errors: 'https://developers.google.com/youtube/v3/docs/errors',
  channels: 'https://developers.google.com/youtube/v3/docs/channels/list',
  oauth: 'https://developers.google.com/identity/protocols/oauth2/web-server',
  quota: 'https://developers.google.com/youtube/v3/determine_quota_cost',
} as const;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The `video` resource returned by the final chunk (or a probe of a completed session),
 * with the parts requested in `part=snippet,status`.
 * https://developers.google.com/youtube/v3/docs/videos#resource
 */
export const videoResource = z.object({
  kind: z.literal('youtube#video').optional(),
  id: z.string().min(1),
  snippet: z.object({ title: z.string().optional(), channelId: z.string().optional() }).loose().optional(),
  status: z
    .object({
      uploadStatus: z.string().optional(),
      privacyStatus: z.string().optional(),
      publishAt: z.string().optional(),
    })
    .loose()
    .optional(),
});
export type VideoResource = z.infer<typeof videoResource>;

/**
 * Google API error envelope; branch on `errors[0].reason`.
 * https://developers.google.com/youtube/v3/docs/errors
 */
export const googleErrorBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z
      .array(z.object({ reason: z.string().optional(), domain: z.string().optional(), message: z.string().optional() }).loose())
      .optional(),
  }),
});

/**
 * channels.list?part=snippet&mine=true: `items` is empty or absent when the account has no channel.
 * https://developers.google.com/youtube/v3/docs/channels/list
 */
export const channelListResponse = z.object({
  items: z
    .array(
      z.object({
        id: z.string().min(1),
        snippet: z.object({ title: z.string().optional(), customUrl: z.string().optional() }).loose().optional(),
      }),
    )
    .optional(),
});

/** What publish() persists between attempts (`ctx.progress`). */
export const uploadSession = z.object({
  uri: z.string().min(1),
  total: z.number().int().nonnegative(),
  startedAt: z.string(),
  /** Set just before the final chunk is armed: from then on a lost session may hide a video. */
  finalChunkAt: z.string().optional(),
});
export type UploadSession = z.infer<typeof uploadSession>;

export const youtubeProgress = z.object({
  session: uploadSession.nullish(),
  videoId: z.string().optional(),
  privacyStatus: z.string().optional(),
});
export type YouTubeProgress = z.infer<typeof youtubeProgress>;
