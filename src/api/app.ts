/**
 * The Fastify application: one error envelope everywhere, x-request-id on every response,
 * zod validation of bodies/queries/params/headers, bearer auth per route, OpenAPI + /docs.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { authenticator } from './auth.ts';
import { installJsonGuards } from './body-guards.ts';
import { clientErrorHandler, errorHandler, frameworkErrors, sendError } from './error-handling.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import { documentTransform, operationTransform } from './openapi.ts';
import type { Services } from './services.ts';
import { deliveryErrorCodes } from '../platform/codes.ts';
import { accountRoutes } from './routes/accounts.ts';
import { postRoutes } from './routes/posts.ts';
import { adminRoutes } from './routes/admin.ts';
import { opsRoutes } from './routes/ops.ts';
import { mediaRoutes } from './routes/media.ts';
import { connectRoutes } from './routes/connect.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { engagementRoutes } from './routes/engagement.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApi(services: Services, log: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    // Requests are logged once, by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  // JSON API: text bodies are not accepted (raw media has its own parser on /v1/media).
  app.removeContentTypeParser('text/plain');
  installJsonGuards(app);
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API (OpenAPI); handlers build their views explicitly
  // (credentials never enter them), so responses are serialized without re-validating.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', String(req.id));
  });
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 500) req.log.error({ method: req.method, url: req.url, status: reply.statusCode }, 'request failed');
    else req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  const authenticate = authenticator(services.store, services.config.adminApiKey);
  // onRequest: before the body is read, so an unauthenticated request is a 401 whatever it sends.
  app.addHook('onRequest', async (req) => {
    // Swagger UI's own routes (/docs/*) are public, like /openapi.json.
    const mode = req.routeOptions.url?.startsWith('/docs') ? 'none' : (req.routeOptions.config.auth ?? 'creator');
    if (mode === 'none') return;
    req.principal = await authenticate(req);
    if (mode === 'admin' && req.principal.kind !== 'admin') throw new ApiError('admin_only', 'this route needs the admin key');
  });

  app.setErrorHandler(errorHandler(services.config));

  app.setNotFoundHandler((req, reply) => sendError(reply, req, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Herald API', version: '1',
        description: 'Schedule once, publish everywhere. Errors use one envelope; see x-error-codes. A delivery\'s `error.code` is one of x-delivery-error-codes: Herald\'s own (`delivery`) or its platform\'s (`<platform>.<code>`), each with its kind and meaning.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: operationTransform,
    transformObject: documentTransform(services.runtime.adapters, services.publicUrl),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, async () => {
    const doc = app.swagger() as unknown as Record<string, unknown>;
    return { ...doc, 'x-error-codes': API_ERRORS, 'x-delivery-error-codes': deliveryErrorCodes(services.runtime.adapters) };
  });

  await app.register(opsRoutes(services));
  await app.register(accountRoutes(services));
  await app.register(postRoutes(services));
  await app.register(adminRoutes(services));
  await app.register(mediaRoutes(services));
  await app.register(connectRoutes(services));
  await app.register(webhookRoutes(services));
  await app.register(metricsRoutes(services));
  await app.register(engagementRoutes(services));
  // Loaded here, not at the top: bull-board and its view engine are only needed where an
  // API runs, so worker-only processes start faster and smaller without them.
  const { dashboardRoutes } = await import('../dashboard/routes.ts');
  await app.register(dashboardRoutes(services));
  return app;
}
