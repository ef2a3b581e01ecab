import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EngagementRecord } from '../../analytics/store.ts';
import type { DeliveryView } from '../../domain/posts-service.ts';
import { creatorOf } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { errorEnvelope, platformSchema } from '../schemas.ts';
import type { Services } from '../services.ts';

const idParams = z.object({ id: z.string().max(64) });
const count = z.number().int().min(0).optional();

const deliveryMetricsOut = z.object({
  deliveryId: z.string(),
  accountId: z.string(),
  platform: platformSchema,
  status: z.enum(['collected', 'pending', 'unavailable', 'not_published'])
    .describe('collected: `metrics` holds the latest reading; pending: published, not read yet; unavailable: the platform or the account\'s scopes give no numbers (`reason`); not_published: nothing to read'),
  metrics: z.object({
    impressions: count, likes: count, comments: count, shares: count, views: count,
    raw: z.record(z.string(), z.unknown()).describe('the platform\'s own numbers, as it named them'),
    collectedAt: z.string(),
  }).nullable().describe('a number the platform does not give is left out, never 0'),
  reason: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable().describe('the last collection failed; `metrics` is the reading before it'),
});

function view(d: DeliveryView, r: EngagementRecord | undefined) {
  const base = { deliveryId: d.id, accountId: d.accountId, platform: d.platform, lastError: r?.lastError ?? null };
  if (d.status !== 'published') return { ...base, status: 'not_published' as const, metrics: null, reason: `the delivery is ${d.status}`, lastError: null };
  if (!r) return { ...base, status: 'pending' as const, metrics: null, reason: 'not collected yet (about 1 h, 24 h and 7 days after publishing, or on refresh)' };
  if (r.status === 'unavailable' || !r.metrics) return { ...base, status: 'unavailable' as const, metrics: null, reason: r.reason ?? 'no numbers' };
  return { ...base, status: 'collected' as const, metrics: { ...r.metrics, collectedAt: r.collectedAt }, reason: null };
}

export const engagementRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.get('/v1/posts/:id/metrics', {
    schema: {
      tags: ['posts'], operationId: 'getPostMetrics', summary: 'Latest engagement per delivery, with when it was collected',
      params: idParams, response: { 200: z.object({ postId: z.string(), deliveries: z.array(deliveryMetricsOut) }), 404: errorEnvelope },
    },
  }, async (req) => {
    const post = await s.posts.get(creatorOf(req), req.params.id);
    const records = await s.store.engagement.getMany(post.deliveries.map((d) => d.id));
    return { postId: post.id, deliveries: post.deliveries.map((d, i) => view(d, records[i])) };
  });

  app.post('/v1/posts/:id/metrics/refresh', {
    schema: {
      tags: ['posts'], operationId: 'refreshPostMetrics',
      summary: 'Collect the post\'s engagement again soon (once per account per few minutes; 429 with Retry-After otherwise)',
      params: idParams, response: { 202: z.object({ deliveryIds: z.array(z.string()) }), 404: errorEnvelope, 429: errorEnvelope },
    },
  }, async (req, reply) => {
    const post = await s.posts.get(creatorOf(req), req.params.id);
    const published = post.deliveries.filter((d) => d.status === 'published');
    if (published.length > 0) {
      const claim = await s.store.engagement.claimRefresh([...new Set(published.map((d) => d.accountId))], s.analytics.refreshIntervalMs);
      if (!claim.ok) {
        const seconds = Math.ceil(claim.retryInMs / 1000);
        reply.header('retry-after', String(seconds));
        throw new ApiError('rate_limited', `engagement of this account was refreshed recently; ask again in ${seconds} s`);
      }
      const now = Date.now();
      await s.store.engagement.schedule(published.map((d) => ({ deliveryId: d.id, label: 'refresh', at: now })));
    }
    return reply.code(202).send({ deliveryIds: published.map((d) => d.id) });
  });
};
