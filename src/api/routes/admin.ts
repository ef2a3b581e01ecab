import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Delivery } from '../../domain/delivery.ts';
import { deliveryView } from '../../domain/posts-service.ts';
import { ApiError, notFound } from '../errors.ts';
import { adminDeliveriesQuery, deliveryOut, errorEnvelope, platformSchema, reason } from '../schemas.ts';
import type { Services } from '../services.ts';

const admin = { auth: 'admin' as const };
const idParams = z.object({ id: z.string().max(64) });
const ADMIN = { id: 'admin', admin: true };

interface DeliveryFilter {
  status?: Delivery['status'];
  platform?: string;
  creatorId?: string;
  errorCode?: string;
  accountId?: string;
}

function matches(d: Delivery, f: DeliveryFilter): boolean {
  return (!f.status || d.status === f.status) && (!f.platform || d.platform === f.platform) &&
    (!f.creatorId || d.creatorId === f.creatorId) && (!f.errorCode || d.error?.code === f.errorCode) &&
    (!f.accountId || d.accountId === f.accountId);
}

/** Scan an index page by page applying the filter; bounded work per call. */
async function scanDeliveries(s: Services, f: DeliveryFilter, cursor: string | undefined, limit: number, maxScan: number) {
  const out: Delivery[] = [];
  let next: string | undefined = cursor;
  let scanned = 0;
  while (out.length < limit && scanned < maxScan) {
    const page = await s.store.deliveries.pageIndex(f.status, next, Math.min(200, Math.max(limit, 50)));
    const ds = await s.store.deliveries.getMany(page.ids);
    let stoppedAt: number | undefined;
    for (let i = 0; i < ds.length; i++) {
      scanned++;
      const d = ds[i];
      if (d && matches(d, f)) out.push(d);
      if (out.length === limit) {
        stoppedAt = i;
        break;
      }
    }
    if (stoppedAt !== undefined && (stoppedAt < ds.length - 1 || page.next)) {
      const last = ds[stoppedAt]!;
      // Each index has its own score (creation, entry into the status, due time): ask it.
      next = `${await s.store.redis.zscore(page.key, last.id)}:${last.id}`;
      return { data: out, next };
    }
    next = page.next;
    if (!next) break;
  }
  return { data: out, next: out.length >= limit || scanned >= maxScan ? next : undefined };
}

export const adminRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.post('/v1/admin/creators', {
    config: admin,
    schema: { tags: ['admin'], summary: 'Create a creator; the API key is shown once', body: z.object({ name: z.string().trim().min(1).max(200) }).strict(), response: { 201: z.object({ id: z.string(), name: z.string(), apiKey: z.string(), createdAt: z.string() }) } },
  }, async (req, reply) => {
    const { creator, apiKey } = await s.store.creators.create(req.body.name);
    await s.store.audit.append({ actor: 'admin', action: 'creator.create', target: creator.id });
    return reply.code(201).send({ ...creator, apiKey });
  });

  app.get('/v1/admin/creators', { config: admin, schema: { tags: ['admin'], response: { 200: z.object({ data: z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.string() })) }) } } }, async () => ({ data: await s.store.creators.list() }));

  app.get('/v1/admin/deliveries', {
    config: admin,
    schema: { tags: ['admin'], summary: 'Deliveries across all creators', querystring: adminDeliveriesQuery, response: { 200: z.object({ data: z.array(deliveryOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const { cursor, limit, ...filter } = req.query;
    const page = await scanDeliveries(s, filter, cursor, limit, 5_000);
    return { data: page.data.map((d) => deliveryView(d, true)), nextCursor: page.next ?? null };
  });

  app.get('/v1/admin/deliveries/:id', { config: admin, schema: { tags: ['admin'], params: idParams, response: { 200: deliveryOut, 404: errorEnvelope } } }, async (req) => {
    const d = await s.store.deliveries.get(req.params.id);
    if (!d) throw notFound('delivery');
    return deliveryView(d, true);
  });

  app.post('/v1/admin/deliveries/:id/retry', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Retry one delivery (force for unknown or non-retryable failures)', params: idParams,
      body: z.object({ reason, force: z.boolean().default(false) }).strict(), response: { 200: deliveryOut, 409: errorEnvelope },
    },
  }, async (req) => {
    const d = await s.store.deliveries.get(req.params.id);
    if (!d) throw notFound('delivery');
    const after = await s.changes.requeue(d, ADMIN, req.body);
    await s.store.audit.append({ actor: 'admin', action: 'delivery.retry', target: d.id, reason: req.body.reason, details: { force: req.body.force, from: d.status } });
    return deliveryView(after, true);
  });

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
  }, async (req) => {
    const { filter, force, limit } = req.body;
    const page = await scanDeliveries(s, filter, undefined, limit, 100_000);
    let retried = 0;
    const skipped: { id: string; reason: string }[] = [];
    for (const d of page.data) {
      try {
        await s.changes.requeue(d, ADMIN, { reason: req.body.reason, force });
        retried++;
      } catch (err) {
        if (skipped.length < 100) skipped.push({ id: d.id, reason: (err as Error).message });
      }
    }
    await s.store.audit.append({ actor: 'admin', action: 'delivery.bulk_retry', reason: req.body.reason, details: { filter, force, matched: page.data.length, retried } });
    return { matched: page.data.length, retried, skipped };
  });

  app.post('/v1/admin/deliveries/:id/resolve', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Record the outcome you verified on the platform for an unknown delivery', params: idParams,
      body: z.object({ outcome: z.enum(['published', 'not_published']), url: z.url({ protocol: /^https$/ }).optional(), platformPostId: z.string().max(256).optional(), reason }).strict()
        .refine((b) => b.outcome !== 'published' || b.url, { message: 'url is required when outcome is published', path: ['url'] }),
      response: { 200: deliveryOut, 409: errorEnvelope },
    },
  }, async (req) => {
    const d = await s.store.deliveries.get(req.params.id);
    if (!d) throw notFound('delivery');
    const b = req.body;
    const after = b.outcome === 'published'
      ? await s.changes.complete(d, ADMIN, { url: b.url!, ...(b.platformPostId ? { platformPostId: b.platformPostId } : {}), reason: b.reason })
      : await s.changes.resolveNotPublished(d, b.reason);
    await s.store.audit.append({ actor: 'admin', action: 'delivery.resolve', target: d.id, reason: b.reason, details: { outcome: b.outcome, from: d.status, ...(b.url ? { url: b.url } : {}) } });
    return deliveryView(after, true);
  });

  app.get('/v1/admin/queues', {
    config: admin,
    schema: { tags: ['admin'], summary: 'Per-platform queue counts, pause state and delivery status totals', response: { 200: z.object({ platforms: z.record(z.string(), z.object({ counts: z.record(z.string(), z.number()), paused: z.boolean(), pausedReason: z.string().nullable(), blockedUntil: z.string().nullable() })), deliveries: z.record(z.string(), z.number()) }) } },
  }, async () => {
    const counts = await s.queues.counts();
    const platforms: Record<string, { counts: Record<string, number>; paused: boolean; pausedReason: string | null; blockedUntil: string | null }> = {};
    for (const [p, c] of Object.entries(counts)) {
      const [until, held] = await Promise.all([s.store.platformBlockedUntil(p), s.store.platformPauseReason(p)]);
      // Why Herald paused it itself (app credentials refused), while it is paused.
      const pausedReason = c.paused && held ? `${held.reason} (since ${held.at})` : null;
      platforms[p] = { ...c, pausedReason, blockedUntil: until > Date.now() ? new Date(until).toISOString() : null };
    }
    return { platforms, deliveries: await s.store.deliveries.countsByStatus() };
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/v1/admin/platforms/:platform/${action}`, {
      config: admin,
      schema: {
        tags: ['admin'], summary: `${action === 'pause' ? 'Pause' : 'Resume'} a platform's queue (e.g. during an outage)`,
        params: z.object({ platform: platformSchema }), body: z.object({ reason: reason.optional() }).strict().optional(),
        response: { 200: z.object({ platform: z.string(), paused: z.boolean() }), 422: errorEnvelope },
      },
    }, async (req) => {
      const p = req.params.platform;
      if (!s.queues.platforms().includes(p)) throw new ApiError('platform_not_available', `${p} is not enabled on this Herald`);
      if (action === 'pause') await s.queues.pause(p);
      else {
        await s.queues.resume(p);
        await s.store.clearPlatformPauseReason(p);
      }
      await s.store.audit.append({ actor: 'admin', action: `platform.${action}`, target: p, ...(req.body?.reason ? { reason: req.body.reason } : {}) });
      return { platform: p, paused: action === 'pause' };
    });
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
    const page = await s.store.audit.page(cursor, limit, filter);
    return { data: page.entries, nextCursor: page.next ?? null };
  });
};
