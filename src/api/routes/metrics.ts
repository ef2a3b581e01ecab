import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { metricsAllowed } from '../../metrics/endpoint.ts';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';

/** Prometheus text format; see README "Metrics" for the series. */
export const metricsRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (req, reply) => {
    if (!metricsAllowed(req.headers.authorization, s.config.metricsToken)) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError('unauthorized', 'send Authorization: Bearer <METRICS_TOKEN>');
    }
    return reply.type(s.metrics.contentType()).send(await s.metrics.render());
  });
};
