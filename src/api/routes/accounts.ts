import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountView } from '../../store/accounts.ts';
import { newId } from '../../store/ids.ts';
import { creatorOf } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { accountBody, accountOut, errorEnvelope } from '../schemas.ts';
import type { Services } from '../services.ts';

const idParams = z.object({ id: z.string().max(64) });

export const accountRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  app.post('/v1/accounts', {
    schema: {
      tags: ['accounts'], summary: 'Connect an account with tokens you already hold',
      body: accountBody, response: { 201: accountOut, 200: accountOut, 422: errorEnvelope },
    },
  }, async (req, reply) => {
    const creatorId = creatorOf(req);
    const adapter = s.runtime.adapter(req.body.platform);
    if (!adapter) throw new ApiError('platform_not_available', `${req.body.platform} is not enabled on this Herald`);
    const m = adapter.manifest;
    const details: { field: string; code: string; message: string }[] = [];
    const settings = m.accountSettings.safeParse(req.body.settings ?? {});
    if (!settings.success) for (const i of settings.error.issues) details.push({ field: ['settings', ...i.path.map(String)].join('.'), code: 'invalid', message: i.message });
    if (m.externalId) {
      const e = m.externalId.safeParse(req.body.externalId);
      if (!e.success) details.push({ field: 'externalId', code: 'invalid', message: `must be ${m.externalIdDescription}` });
    }
    if (m.accountCredentials) {
      const c = m.accountCredentials.safeParse(req.body.credentials);
      if (!c.success) for (const i of c.error.issues) details.push({ field: ['credentials', ...i.path.map(String)].join('.'), code: 'invalid', message: i.message });
    }
    if (details.length) throw new ApiError('invalid_request', `invalid ${m.displayName} account: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
    const { account, created } = await s.store.accounts.upsert({
      creatorId, platform: req.body.platform, externalId: req.body.externalId,
      ...(req.body.handle ? { handle: req.body.handle } : {}),
      settings: (settings.data ?? {}) as Record<string, unknown>,
      credentials: req.body.credentials,
    }, () => newId('acc'));
    await s.store.audit.append({ actor: creatorId, action: created ? 'account.connect' : 'account.reconnect', target: account.id, details: { platform: account.platform } });
    return reply.code(created ? 201 : 200).send(accountView(account));
  });

  app.get('/v1/accounts', { schema: { tags: ['accounts'], summary: 'List connected accounts', response: { 200: z.object({ data: z.array(accountOut) }) } } }, async (req) => {
    const list = await s.store.accounts.list(creatorOf(req));
    return { data: list.map(accountView) };
  });

  app.get('/v1/accounts/:id', { schema: { tags: ['accounts'], params: idParams, response: { 200: accountOut, 404: errorEnvelope } } }, async (req) => {
    const a = await s.store.accounts.get(req.params.id);
    if (!a || a.creatorId !== creatorOf(req)) throw notFound('account');
    return accountView(a);
  });

  app.delete('/v1/accounts/:id', { schema: { tags: ['accounts'], summary: 'Disconnect (credentials are deleted)', params: idParams, response: { 204: z.null(), 404: errorEnvelope } } }, async (req, reply) => {
    const creatorId = creatorOf(req);
    const a = await s.store.accounts.get(req.params.id);
    if (!a || a.creatorId !== creatorId) throw notFound('account');
    await s.store.accounts.remove(a);
    await s.store.audit.append({ actor: creatorId, action: 'account.disconnect', target: a.id });
    return reply.code(204).send(null);
  });
};
