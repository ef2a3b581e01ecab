import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkUrlSyntax, privateAccess } from '../../media/url-policy.ts';
import { newId } from '../../store/ids.ts';
import { WEBHOOK_EVENTS, type OutboxEntry } from '../../webhooks/events.ts';
import { newWebhookSecret } from '../../webhooks/signature.ts';
import { MAX_WEBHOOKS_PER_CREATOR, webhookDeliveryView, webhookView, type Webhook } from '../../webhooks/store.ts';
import { creatorOf } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { cursorSchema, errorEnvelope, limitSchema } from '../schemas.ts';
import type { Services } from '../services.ts';

const idParams = z.object({ id: z.string().max(64) });

const webhookBody = z
  .object({
    url: z.string().max(2048),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, 'subscribe to at least one event').max(WEBHOOK_EVENTS.length),
  })
  .strict();

const webhookOut = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
  failingSince: z.string().nullable().describe('first failed attempt since the last 2xx'),
  lastSuccessAt: z.string().nullable(),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
});

const deliveryLogOut = z.object({
  eventId: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  statusCodes: z.array(z.number().nullable()).describe('one per attempt; null when there was no answer (timeout, refused)'),
  responses: z.array(z.object({ at: z.string(), status: z.number().nullable(), error: z.string().optional() })),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

export const webhookRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  /** The creator's own webhook, or 404 (another creator's webhook is not found either). */
  const owned = async (creatorId: string, id: string): Promise<Webhook> => {
    const w = await s.store.webhooks.get(id);
    if (!w || w.creatorId !== creatorId) throw notFound('webhook');
    return w;
  };

  app.post('/v1/webhooks', {
    schema: {
      tags: ['webhooks'], operationId: 'createWebhook', summary: 'Register a webhook (the signing secret is shown only in this response)',
      body: webhookBody, response: { 201: webhookOut.extend({ secret: z.string() }), 400: errorEnvelope },
    },
  }, async (req, reply) => {
    const creatorId = creatorOf(req);
    const problem = checkUrlSyntax(req.body.url, privateAccess(s.config));
    if (problem) throw new ApiError('invalid_request', `url ${problem}`, [{ field: 'body.url', code: 'url_not_allowed', message: problem }]);
    if ((await s.store.webhooks.count(creatorId)) >= MAX_WEBHOOKS_PER_CREATOR) {
      throw new ApiError('conflict', `a creator may have at most ${MAX_WEBHOOKS_PER_CREATOR} webhooks; delete one first`);
    }
    const secret = newWebhookSecret();
    const w = await s.store.webhooks.create({
      id: newId('whk'), creatorId, url: req.body.url, events: [...new Set(req.body.events)], createdAt: new Date().toISOString(),
    }, secret);
    await s.store.audit.append({ actor: creatorId, action: 'webhook.create', target: w.id, details: { url: w.url, events: w.events } });
    return reply.code(201).send({ ...webhookView(w), secret });
  });

  app.get('/v1/webhooks', {
    schema: { tags: ['webhooks'], operationId: 'listWebhooks', summary: 'List your webhooks', response: { 200: z.object({ data: z.array(webhookOut) }) } },
  }, async (req) => ({ data: (await s.store.webhooks.list(creatorOf(req))).map(webhookView) }));

  app.get('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], operationId: 'getWebhook', summary: 'One webhook (status shows whether it was disabled and why)', params: idParams, response: { 200: webhookOut, 404: errorEnvelope } },
  }, async (req) => webhookView(await owned(creatorOf(req), req.params.id)));

  app.delete('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], operationId: 'deleteWebhook', summary: 'Delete a webhook and its delivery log', params: idParams, response: { 204: z.null(), 404: errorEnvelope } },
  }, async (req, reply) => {
    const creatorId = creatorOf(req);
    const w = await owned(creatorId, req.params.id);
    await s.store.webhooks.remove(w);
    await s.store.audit.append({ actor: creatorId, action: 'webhook.delete', target: w.id });
    return reply.code(204).send(null);
  });

  app.get('/v1/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'], operationId: 'listWebhookDeliveries', summary: 'The delivery log: each event with its attempts, status codes and next attempt, newest first',
      params: idParams, querystring: z.object({ cursor: cursorSchema.optional(), limit: limitSchema }).strict(),
      response: { 200: z.object({ data: z.array(deliveryLogOut), nextCursor: z.string().nullable() }), 404: errorEnvelope },
    },
  }, async (req) => {
    const w = await owned(creatorOf(req), req.params.id);
    const page = await s.store.webhooks.pageDeliveries(w.id, req.query.cursor, req.query.limit);
    return { data: page.data.map(webhookDeliveryView), nextCursor: page.next ?? null };
  });

  app.post('/v1/webhooks/:id/test', {
    schema: {
      tags: ['webhooks'], operationId: 'testWebhook', summary: 'Send a signed webhook.test event to this webhook (see it in the delivery log)',
      params: idParams, response: { 202: z.object({ eventId: z.string() }), 404: errorEnvelope, 409: errorEnvelope },
    },
  }, async (req, reply) => {
    const creatorId = creatorOf(req);
    const w = await owned(creatorId, req.params.id);
    if (w.status !== 'active') throw new ApiError('conflict', 'this webhook is disabled; delete it and register it again');
    const entry: OutboxEntry = { id: newId('evt'), type: 'webhook.test', creatorId, webhookId: w.id, at: new Date().toISOString(), data: { webhook: { id: w.id, url: w.url } } };
    await s.store.webhooks.emit(entry);
    return reply.code(202).send({ eventId: entry.id });
  });
};
