import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryView } from '../../domain/posts-service.ts';
import { AdminService } from '../admin-service.ts';
import { adminDeliveriesQuery, deliveryOut, errorEnvelope, platformSchema, reason } from '../schemas.ts';
import type { Services } from '../services.ts';

const admin = { auth: 'admin' as const };
const idParams = z.object({ id: z.string().max(64) });

export const adminRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  const ops = new AdminService(s);
  app.post('/v1/admin/creators', {
    config: admin,
    schema: { tags: ['admin'], summary: 'Create a creator; the API key is shown once', body: z.object({ name: z.string().trim().min(1).max(200) }).strict(), response: { 201: z.object({ id: z.string(), name: z.string(), apiKey: z.string(), createdAt: z.string() }) } },
  }, async (req, reply) => reply.code(201).send(await ops.createCreator(req.body.name)));

  app.get('/v1/admin/creators', { config: admin, schema: { tags: ['admin'], response: { 200: z.object({ data: z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.string() })) }) } } }, async () => ({ data: await s.store.creators.list() }));

  app.get('/v1/admin/deliveries', {
    config: admin,
    schema: { tags: ['admin'], summary: 'Deliveries across all creators', querystring: adminDeliveriesQuery, response: { 200: z.object({ data: z.array(deliveryOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const { cursor, limit, ...filter } = req.query;
    const page = await ops.deliveries(filter, cursor, limit);
    return { data: page.data.map((d) => deliveryView(d, true)), nextCursor: page.next ?? null };
  });

  app.get('/v1/admin/deliveries/:id', { config: admin, schema: { tags: ['admin'], params: idParams, response: { 200: deliveryOut, 404: errorEnvelope } } }, async (req) => deliveryView(await ops.delivery(req.params.id), true));

  app.post('/v1/admin/deliveries/:id/retry', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Retry one delivery (force for unknown or non-retryable failures)', params: idParams,
      body: z.object({ reason, force: z.boolean().default(false) }).strict(), response: { 200: deliveryOut, 409: errorEnvelope },
    },
  }, async (req) => deliveryView(await ops.retry(req.params.id, req.body), true));

  app.post('/v1/admin/retries', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Bulk retry of failed (or, with force, unknown) deliveries matching a filter',
      body: z.object({
        filter: z.object({ status: z.enum(['failed', 'unknown']).default('failed'), platform: platformSchema.optional(), creatorId: z.string().max(64).optional(), errorCode: z.string().max(128).optional(), accountId: z.string().max(64).optional() }).strict(),
        reason, force: z.boolean().default(false), limit: z.number().int().min(1).max(10_000).default(1_000),
      }).strict(),
      response: { 200: z.object({ matched: z.number(), retried: z.number(), skipped: z.array(z.object({ id: z.string(), reason: z.string() })) }) },
    },
  }, async (req) => ops.bulkRetry(req.body.filter, req.body.reason, req.body.force, req.body.limit));

  app.post('/v1/admin/deliveries/:id/resolve', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Record the outcome you verified on the platform for an unknown delivery', params: idParams,
      body: z.object({ outcome: z.enum(['published', 'not_published']), url: z.url({ protocol: /^https$/ }).optional(), platformPostId: z.string().max(256).optional(), reason }).strict()
        .refine((b) => b.outcome !== 'published' || b.url, { message: 'url is required when outcome is published', path: ['url'] }),
      response: { 200: deliveryOut, 409: errorEnvelope },
    },
  }, async (req) => deliveryView(await ops.resolve(req.params.id, req.body), true));

  app.get('/v1/admin/queues', {
    config: admin,
    schema: { tags: ['admin'], summary: 'Per-platform queue counts, pause state and delivery status totals', response: { 200: z.object({ platforms: z.record(z.string(), z.object({ counts: z.record(z.string(), z.number()), paused: z.boolean(), pausedReason: z.string().nullable(), blockedUntil: z.string().nullable(), config: z.record(z.string(), z.string()), configWarnings: z.array(z.string()) })), deliveries: z.record(z.string(), z.number()) }) } },
  }, async () => ops.queues());

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/v1/admin/platforms/:platform/${action}`, {
      config: admin,
      schema: {
        tags: ['admin'], summary: `${action === 'pause' ? 'Pause' : 'Resume'} a platform's queue (e.g. during an outage)`,
        params: z.object({ platform: platformSchema }), body: z.object({ reason: reason.optional() }).strict().optional(),
        response: { 200: z.object({ platform: z.string(), paused: z.boolean() }), 422: errorEnvelope },
      },
    }, async (req) => ops.setPaused(req.params.platform, action === 'pause', req.body?.reason));
  }

  app.get('/v1/admin/audit', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Append-only audit log, newest first',
      querystring: z.object({ cursor: z.string().regex(/^\d+-\d+$/).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), action: z.string().max(64).optional(), target: z.string().max(64).optional() }).strict(),
      response: { 200: z.object({ data: z.array(z.object({ id: z.string(), at: z.string(), actor: z.string(), action: z.string(), target: z.string().optional(), reason: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() })), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const { cursor, limit, ...filter } = req.query;
    const page = await ops.audit(cursor, limit, filter);
    return { data: page.entries, nextCursor: page.next ?? null };
  });
};
