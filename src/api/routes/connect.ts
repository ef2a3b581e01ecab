import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountView } from '../../store/accounts.ts';
import { creatorOf } from '../auth.ts';
import { accountOut, errorEnvelope, platformSchema } from '../schemas.ts';
import type { Services } from '../services.ts';

export const connectRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.get('/v1/connect/:platform', {
    schema: {
      tags: ['accounts'], summary: 'Start OAuth: open authUrl in a browser; the callback stores the account',
      params: z.object({ platform: platformSchema }),
      response: { 200: z.object({ authUrl: z.string(), state: z.string(), expiresAt: z.string() }), 422: errorEnvelope },
    },
  }, async (req) => s.oauth.start(creatorOf(req), req.params.platform));

  app.get('/v1/connect/:platform/callback', {
    config: { auth: 'none' },
    schema: {
      tags: ['accounts'], summary: 'OAuth redirect target (bound to the creator by the single-use state)',
      params: z.object({ platform: platformSchema }),
      querystring: z.object({ code: z.string().max(4096).optional(), state: z.string().max(256).optional(), error: z.string().max(256).optional(), error_description: z.string().max(2048).optional() }).passthrough(),
      response: { 200: z.object({ connected: z.literal(true), account: accountOut }), 400: errorEnvelope },
    },
  }, async (req) => {
    const { account } = await s.oauth.callback(req.params.platform, req.query);
    return { connected: true as const, account: accountView(account) };
  });
};
