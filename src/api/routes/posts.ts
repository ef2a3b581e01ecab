import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryView } from '../../domain/posts-service.ts';
import { creatorOf } from '../auth.ts';
import { notFound } from '../errors.ts';
import { deliveryId, deliveryOut, errorEnvelope, issueOut, listPostsQuery, patchBody, postBody, postOut } from '../schemas.ts';
import type { Services } from '../services.ts';

const idParams = z.object({ id: z.string().max(64) });
const idemHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
});

export const postRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.post('/v1/posts', {
    config: { postBody: true },
    schema: {
      tags: ['posts'], summary: 'Schedule a post (202: durable and queued)',
      description: 'Same Idempotency-Key and same body within 24 h returns the original post; a different body gets 409.',
      headers: idemHeaders, body: postBody,
      response: { 202: postOut, 400: errorEnvelope, 409: errorEnvelope, 422: errorEnvelope },
    },
  }, async (req, reply) => {
    const view = await s.posts.create(creatorOf(req), req.body, req.headers['idempotency-key']);
    return reply.code(202).send(view);
  });

  app.post('/v1/posts/validate', {
    config: { postBody: true },
    schema: { tags: ['posts'], summary: 'Dry run: validate without storing', body: postBody, response: { 200: z.object({ valid: z.boolean(), issues: z.array(issueOut) }), 422: errorEnvelope } },
  }, async (req) => {
    const issues = await s.posts.validate(creatorOf(req), req.body);
    return { valid: issues.length === 0, issues };
  });

  app.get('/v1/posts', {
    schema: { tags: ['posts'], summary: 'List posts, newest first (cursor pagination)', querystring: listPostsQuery, response: { 200: z.object({ data: z.array(postOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => s.posts.list(creatorOf(req), req.query));

  app.get('/v1/posts/:id', { schema: { tags: ['posts'], params: idParams, response: { 200: postOut, 404: errorEnvelope } } }, async (req) => s.posts.get(creatorOf(req), req.params.id));

  app.patch('/v1/posts/:id', {
    config: { postBody: true },
    schema: { tags: ['posts'], summary: 'Edit or reschedule while nothing has started (else 409)', params: idParams, body: patchBody, response: { 200: postOut, 409: errorEnvelope, 422: errorEnvelope } },
  }, async (req) => s.changes.patch(creatorOf(req), req.params.id, req.body));

  app.delete('/v1/posts/:id', {
    schema: { tags: ['posts'], summary: 'Cancel deliveries not yet started (409 while publishing)', params: idParams, response: { 200: postOut, 409: errorEnvelope } },
  }, async (req) => s.changes.cancel(creatorOf(req), req.params.id));

  app.post('/v1/posts/:id/retry', {
    schema: {
      tags: ['posts'], summary: 'Re-queue your failed, retryable deliveries', params: idParams,
      body: z.object({ deliveryIds: z.array(deliveryId).min(1).max(50).optional() }).strict().nullish(),
      response: { 200: postOut, 409: errorEnvelope },
    },
  }, async (req) => s.changes.creatorRetry(creatorOf(req), req.params.id, req.body?.deliveryIds));

  app.post('/v1/deliveries/:id/complete', {
    schema: {
      tags: ['posts'], summary: 'Finish a handoff delivery with the URL it was published at', params: idParams,
      body: z.object({ url: z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2048), platformPostId: z.string().max(256).optional() }).strict(),
      response: { 200: deliveryOut, 409: errorEnvelope },
    },
  }, async (req) => {
    const creatorId = creatorOf(req);
    const d = await s.store.deliveries.get(req.params.id);
    if (!d || d.creatorId !== creatorId) throw notFound('delivery');
    return deliveryView(await s.changes.complete(d, { id: creatorId, admin: false }, req.body));
  });
};
