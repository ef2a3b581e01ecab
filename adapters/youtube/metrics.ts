/**
 * Engagement of an uploaded video: videos.list `part=statistics` (1 quota unit;
 * https://developers.google.com/youtube/v3/docs/videos#statistics). Counts are strings;
 * `likeCount` is missing when the owner hides it, and YouTube has no impressions or shares
 * here, so those are left out rather than reported as 0. Reading needs `youtube.readonly`
 * (Herald's OAuth flow asks for it); a token with `youtube.upload` only gets 403
 * insufficientPermissions, which is reported as "unavailable" with the reason.
 */
import { z } from 'zod';
import type { MetricsContext, MetricsReading } from '../../src/platform/port.ts';
import { bearer, DOCS, googleErrorBody } from './client.ts';
import { classifyApiError } from './errors.ts';
import { parseBody } from '../../src/platform/http.ts';

export const VIDEOS_URL = 'https://www.googleapis.com/youtube/v3/videos';

const count = z.string().regex(/^\d+$/).transform(Number);
// {"kind":"youtube#videoListResponse","items":[{"id","statistics":{"viewCount","likeCount"?,"favoriteCount","commentCount"?}}]}
const statisticsList = z.object({
  items: z.array(z.object({
    id: z.string(),
    statistics: z.object({ viewCount: count.optional(), likeCount: count.optional(), favoriteCount: count.optional(), commentCount: count.optional() }).loose(),
  })).default([]),
});

export async function readYouTubeMetrics(input: { platformPostId: string }, ctx: MetricsContext): Promise<MetricsReading> {
  const url = `${VIDEOS_URL}?part=statistics&id=${encodeURIComponent(input.platformPostId)}`;
  const res = await ctx.http.request({ method: 'GET', url, headers: bearer(ctx.credentials.accessToken), phase: 'read' });
  if (res.status === 403) {
    const reason = googleErrorBody.safeParse(res.safeJson()).data?.error.errors?.[0]?.reason;
    if (reason === 'insufficientPermissions') {
      return { status: 'unavailable', reason: 'the account\'s YouTube token may upload but not read (no youtube.readonly scope); reconnect it through Herald\'s OAuth flow to get statistics' };
    }
  }
  if (res.status !== 200) throw classifyApiError(res, 'read');
  const item = parseBody(statisticsList, res, { platform: 'youtube', phase: 'read', doc: DOCS.videos }).items[0];
  if (!item) return { status: 'unavailable', reason: 'YouTube does not list this video any more (deleted, or private to another channel)' };
  const s = item.statistics;
  return {
    status: 'ok',
    metrics: {
      ...(s.viewCount !== undefined ? { views: s.viewCount } : {}),
      ...(s.likeCount !== undefined ? { likes: s.likeCount } : {}),
      ...(s.commentCount !== undefined ? { comments: s.commentCount } : {}),
      raw: s,
    },
  };
}
