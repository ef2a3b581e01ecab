import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';

export const opsRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.get('/healthz', { config: { auth: 'none' }, schema: { tags: ['ops'], summary: 'Process is up', response: { 200: z.object({ ok: z.literal(true) }) } } }, async () => ({ ok: true as const }));

  app.get('/readyz', { config: { auth: 'none' }, schema: { tags: ['ops'], summary: 'Redis is reachable', response: { 200: z.object({ ok: z.literal(true), redis: z.literal('ok') }) } } }, async () => {
    try {
      await Promise.race([s.store.redis.ping(), new Promise((_, r) => setTimeout(() => r(new Error('timeout')), 2_000))]);
    } catch {
      throw new ApiError('not_ready', 'Redis is not reachable');
    }
    return { ok: true as const, redis: 'ok' as const };
  });
};
