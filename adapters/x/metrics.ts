/**
 * Engagement of a published post: GET /2/tweets/:id?tweet.fields=public_metrics
 * (https://docs.x.com/x-api/posts/get-post-by-id; fields: https://docs.x.com/x-api/fundamentals/fields).
 * Needs `tweet.read`, which Herald's OAuth flow asks for. X has no separate view count:
 * `impression_count` is how many times the post was seen.
 */
import { z } from 'zod';
import type { MetricsContext, MetricsReading } from '../../src/platform/port.ts';
import { parseX, xCall } from './client.ts';

const DOC = 'https://docs.x.com/x-api/posts/get-post-by-id';

// {"data":{"id","text","public_metrics":{"retweet_count","reply_count","like_count","quote_count","bookmark_count","impression_count"}}}
// A deleted post: 200 {"errors":[{"title":"Not Found Error","resource_type":"tweet",…}]} without data.
const postWithMetrics = z.object({
  errors: z.array(z.object({ title: z.string().optional(), detail: z.string().optional() })).optional(),
  data: z.object({
    id: z.string(),
    public_metrics: z.object({
      retweet_count: z.number(), reply_count: z.number(), like_count: z.number(), quote_count: z.number(),
      bookmark_count: z.number().optional(), impression_count: z.number().optional(),
    }),
  }).optional(),
});

export async function readXMetrics(input: { platformPostId: string }, ctx: MetricsContext): Promise<MetricsReading> {
  const res = await xCall(ctx.http, {
    method: 'GET', path: `/2/tweets/${encodeURIComponent(input.platformPostId)}`, phase: 'read', op: 'read',
    token: ctx.credentials.accessToken, query: { 'tweet.fields': 'public_metrics' },
  });
  const body = parseX(postWithMetrics, res, 'read', DOC);
  if (!body.data) return { status: 'unavailable', reason: `X no longer has this post (${body.errors?.[0]?.detail ?? 'not found'})` };
  const m = body.data.public_metrics;
  return {
    status: 'ok',
    metrics: {
      ...(m.impression_count !== undefined ? { impressions: m.impression_count } : {}),
      likes: m.like_count,
      comments: m.reply_count,
      shares: m.retweet_count + m.quote_count,
      raw: m,
    },
  };
}
