import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectCookieName, STATE_TTL_S } from '../../oauth/service.ts';
import { accountView } from '../../store/accounts.ts';
import { creatorOf } from '../auth.ts';
import { accountOut, errorEnvelope, platformSchema } from '../schemas.ts';
import type { Services } from '../services.ts';

/** The value of one cookie from a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export const connectRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  // The connect cookie is only ever sent back to /v1/connect/; Secure whenever Herald is served over https.
  const cookieAttributes = (maxAge: number) =>
    `Path=/v1/connect/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${s.publicUrl().startsWith('https:') ? '; Secure' : ''}`;

  app.get('/v1/connect/:platform', {
    schema: {
      tags: ['accounts'], summary: 'Start OAuth: open authUrl in a browser; the callback (in that browser) stores the account',
      params: z.object({ platform: platformSchema }),
      querystring: z.object({ origin: z.string().max(2048).optional().describe('the instance to connect (per-instance platforms, e.g. https://mastodon.social)') }),
      response: { 200: z.object({ authUrl: z.string(), state: z.string(), expiresAt: z.string() }), 400: errorEnvelope, 422: errorEnvelope },
    },
  }, async (req) => s.oauth.start(creatorOf(req), req.params.platform, req.query.origin));

  app.get('/v1/connect/:platform/authorize', {
    config: { auth: 'none' },
    schema: {
      tags: ['accounts'], summary: 'The authUrl: binds the connect to this browser (a cookie) and redirects to the platform, once',
      params: z.object({ platform: platformSchema }),
      querystring: z.object({ state: z.string().max(256).optional() }),
      response: { 302: z.null(), 400: errorEnvelope },
    },
  }, async (req, reply) => {
    const { cookie, location } = await s.oauth.open(req.params.platform, req.query.state);
    reply.header('set-cookie', `${cookie.name}=${cookie.value}; ${cookieAttributes(STATE_TTL_S)}`);
    return reply.redirect(location, 302);
  });

  app.get('/v1/connect/:platform/callback', {
    config: { auth: 'none' },
    schema: {
      tags: ['accounts'], summary: 'OAuth redirect target (bound to the creator by the single-use state, and to the browser by its cookie)',
      params: z.object({ platform: platformSchema }),
      querystring: z.object({ code: z.string().max(4096).optional(), state: z.string().max(256).optional(), error: z.string().max(256).optional(), error_description: z.string().max(2048).optional() }).passthrough(),
      response: { 200: z.object({ connected: z.literal(true), account: accountOut }), 400: errorEnvelope },
    },
  }, async (req, reply) => {
    const name = req.query.state ? connectCookieName(req.query.state) : undefined;
    const { account } = await s.oauth.callback(req.params.platform, req.query, name ? cookieValue(req.headers.cookie, name) : undefined);
    if (name) reply.header('set-cookie', `${name}=; ${cookieAttributes(0)}`);
    return { connected: true as const, account: accountView(account) };
  });
};
