/**
 * The admin dashboard at /admin: server-rendered pages over the same AdminService the JSON
 * admin routes use, behind a session cookie (session.ts). Without a valid session nothing
 * under /admin answers with data: pages redirect to the login form, everything else is 401.
 * bull-board's queue view is mounted read-only at /admin/queues behind the same session.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AdminService } from '../api/admin-service.ts';
import { ApiError } from '../api/errors.ts';
import { platformSchema, reason } from '../api/schemas.ts';
import type { Services } from '../api/services.ts';
import { DELIVERY_STATUSES } from '../domain/delivery.ts';
import { deliveryPage, deliveriesPage } from './delivery-pages.ts';
import { query, type Html } from './html.ts';
import { page, type Frame } from './layout.ts';
import { auditPage, loginPage, platformsPage } from './pages.ts';
import { DashboardSessions, SESSION_COOKIE, SESSION_TTL_MS } from './session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session id, once the gate has checked it. */
    dashboardSession?: string;
  }
}

/** Pages allow no scripts and no framing; styles are inline. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const empty = (v: unknown) => (v === '' ? undefined : v);
const text = (max: number) => z.preprocess(empty, z.string().trim().max(max).optional());
const listQuery = z.object({
  status: z.preprocess(empty, z.enum(DELIVERY_STATUSES).optional()),
  platform: z.preprocess(empty, platformSchema.optional()),
  creatorId: text(64), errorCode: text(128), cursor: text(200),
  notice: text(500), error: text(500),
});
const flash = z.object({ notice: text(500), error: text(500) });
const auditQuery = flash.extend({ action: text(64), target: text(64), cursor: z.preprocess(empty, z.string().regex(/^\d+-\d+$/).optional()) });
const force = z.preprocess((v) => v === 'true', z.boolean());
const retryForm = z.object({ reason, force });
const bulkForm = z.object({
  status: z.enum(['failed', 'unknown']), platform: z.preprocess(empty, platformSchema.optional()),
  creatorId: text(64), errorCode: text(128), reason, force,
});
const resolveForm = z.object({
  outcome: z.enum(['published', 'not_published']),
  url: z.preprocess(empty, z.url({ protocol: /^https$/, error: 'the post URL must be an https URL' }).optional()),
  reason,
}).refine((b) => b.outcome !== 'published' || b.url, { message: 'give the post URL when it is published', path: ['url'] });
const pauseForm = z.object({ reason: z.preprocess(empty, reason.optional()) });

/** A readable one-line message from a zod failure or an API error. */
function problem(err: unknown): string {
  if (err instanceof z.ZodError) return err.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; ');
  if (err instanceof ApiError) return err.message;
  throw err;
}

/** Only local dashboard paths are followed after login. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/[A-Za-z0-9_./?=&%-]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin/deliveries';
}

export const dashboardRoutes = (s: Services) => async (app: FastifyInstance) => {
  const ops = new AdminService(s);
  const sessions = new DashboardSessions(s.store.redis, (id) => s.store.k.adminSession(id), s.config.adminApiKey);
  const secure = (s.config.publicUrl ?? '').startsWith('https://');

  // Dashboard routes (bull-board's included) authenticate by session, not by bearer key.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), auth: 'none' };
  });
  await app.register(cookie, { secret: sessions.secret });
  await app.register(formbody);

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path === '/admin/login') return;
    const signed = req.cookies[SESSION_COOKIE];
    const unsigned = signed ? req.unsignCookie(signed) : undefined;
    if (unsigned?.valid && unsigned.value && (await sessions.valid(unsigned.value))) {
      req.dashboardSession = unsigned.value;
      // bull-board's API can change jobs; Herald's own forms (audited) are the way to act.
      if (path.startsWith('/admin/queues/api/') && req.method !== 'GET') {
        return reply.code(403).type('text/plain').send('the queue view is read-only; retry, resolve and pause from the dashboard pages\n');
      }
      return;
    }
    if (req.method === 'GET' && !path.startsWith('/admin/queues/api/')) {
      return reply.redirect(`/admin/login${query({ next: req.url })}`, 303);
    }
    return reply.code(401).type('text/plain').send('log in at /admin/login\n');
  });

  const csrf = (req: FastifyRequest) => sessions.csrfToken(req.dashboardSession!);
  const send = (reply: FastifyReply, frame: Frame, body: Html) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).header('cache-control', 'no-store').send(page(frame, body));
  /** State-changing forms: the CSRF token must match the session. */
  const checkCsrf = (req: FastifyRequest) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!sessions.checkCsrf(req.dashboardSession!, body?._csrf)) {
      throw new ApiError('admin_only', 'the form is stale or came from another site (CSRF check failed); reload the page and try again');
    }
  };
  /** Run a form action, then go back to `to` with a notice or the error. */
  const act = async (req: FastifyRequest, reply: FastifyReply, to: string, fn: () => Promise<string>) => {
    let outcome: Record<string, string>;
    try {
      checkCsrf(req);
      outcome = { notice: await fn() };
    } catch (err) {
      outcome = { error: problem(err) };
    }
    const sep = to.includes('?') ? '&' : '?';
    return reply.redirect(`${to}${sep}${query(outcome).slice(1)}`, 303);
  };

  app.get('/admin/login', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    return send(reply, { title: 'Log in', section: 'login', ...(q.error ? { error: 'That is not the admin key.' } : {}) }, loginPage(safeNext(q.next)));
  });

  app.post('/admin/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (typeof body.key !== 'string' || !sessions.checkAdminKey(body.key)) {
      await s.store.audit.append({ actor: 'anonymous', action: 'dashboard.login_failed', details: { ip: req.ip } });
      return reply.redirect(`/admin/login${query({ next, error: '1' })}`, 303);
    }
    const id = await sessions.create();
    await s.store.audit.append({ actor: 'admin', action: 'dashboard.login', details: { ip: req.ip } });
    reply.setCookie(SESSION_COOKIE, id, { signed: true, httpOnly: true, sameSite: 'strict', secure, path: '/admin', maxAge: SESSION_TTL_MS / 1000 });
    return reply.redirect(next, 303);
  });

  app.post('/admin/logout', async (req, reply) => {
    checkCsrf(req);
    await sessions.destroy(req.dashboardSession!);
    reply.clearCookie(SESSION_COOKIE, { path: '/admin' });
    return reply.redirect('/admin/login', 303);
  });

  app.get('/admin', async (_req, reply) => reply.redirect('/admin/deliveries', 303));

  app.get('/admin/deliveries', async (req, reply) => {
    const parsed = listQuery.safeParse(req.query);
    const q = parsed.success ? parsed.data : {};
    const filter = { status: q.status, platform: q.platform, creatorId: q.creatorId, errorCode: q.errorCode };
    const [result, creators] = await Promise.all([
      ops.deliveries(Object.fromEntries(Object.entries(filter).filter(([, v]) => v)), q.cursor, 50),
      s.store.creators.list(),
    ]);
    return send(reply, { title: 'Deliveries', section: 'deliveries', csrf: csrf(req), notice: q.notice, error: parsed.success ? q.error : problem(parsed.error) },
      deliveriesPage({ filter, rows: result.data, ...(result.next ? { next: result.next } : {}), platforms: s.queues.platforms(), creators, csrf: csrf(req) }));
  });

  app.get('/admin/deliveries/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const q = flash.safeParse(req.query);
    const d = await s.store.deliveries.get(id);
    if (!d) return send(reply.code(404), { title: 'Not found', section: 'deliveries', csrf: csrf(req), error: `No delivery ${id}.` }, deliveriesPage({ filter: {}, rows: [], platforms: s.queues.platforms(), creators: [], csrf: csrf(req) }));
    const [creator, audit] = await Promise.all([s.store.creators.get(d.creatorId), ops.audit(undefined, 50, { target: d.id })]);
    return send(reply, { title: d.id, section: 'deliveries', csrf: csrf(req), ...(q.success ? q.data : {}) },
      deliveryPage({ d, ...(creator ? { creatorName: creator.name } : {}), audit: audit.entries, csrf: csrf(req) }));
  });

  app.post('/admin/deliveries/:id/retry', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    return act(req, reply, `/admin/deliveries/${encodeURIComponent(id)}`, async () => {
      const after = await ops.retry(id, retryForm.parse(req.body));
      return `Retry queued: the delivery is ${after.status}.`;
    });
  });

  app.post('/admin/deliveries/:id/resolve', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    return act(req, reply, `/admin/deliveries/${encodeURIComponent(id)}`, async () => {
      const after = await ops.resolve(id, resolveForm.parse(req.body));
      return `Resolved: the delivery is ${after.status}.`;
    });
  });

  app.post('/admin/retries', async (req, reply) => {
    const b = req.body as Record<string, string | undefined>;
    const back = `/admin/deliveries${query({ status: b.status, platform: b.platform, creatorId: b.creatorId, errorCode: b.errorCode })}`;
    return act(req, reply, back, async () => {
      const f = bulkForm.parse(req.body);
      const r = await ops.bulkRetry({ status: f.status, ...(f.platform ? { platform: f.platform } : {}), ...(f.creatorId ? { creatorId: f.creatorId } : {}), ...(f.errorCode ? { errorCode: f.errorCode } : {}) }, f.reason, f.force, 1_000);
      return `Bulk retry: ${r.retried} of ${r.matched} matching deliveries queued${r.skipped.length ? `; skipped ${r.skipped.length} (${r.skipped.slice(0, 3).map((x) => `${x.id}: ${x.reason}`).join('; ')})` : ''}.`;
    });
  });

  app.get('/admin/platforms', async (req, reply) => {
    const q = flash.safeParse(req.query);
    return send(reply, { title: 'Platforms', section: 'platforms', csrf: csrf(req), ...(q.success ? q.data : {}) }, platformsPage({ ...(await ops.queues()), csrf: csrf(req) }));
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/admin/platforms/:platform/${action}`, async (req, reply) =>
      act(req, reply, '/admin/platforms', async () => {
        const p = platformSchema.parse((req.params as { platform: string }).platform);
        const r = pauseForm.parse(req.body);
        await ops.setPaused(p, action === 'pause', r.reason);
        return `${p} ${action === 'pause' ? 'paused' : 'resumed'}.`;
      }));
  }

  app.get('/admin/audit', async (req, reply) => {
    const parsed = auditQuery.safeParse(req.query);
    const q = parsed.success ? parsed.data : {};
    const result = await ops.audit(q.cursor, 50, { ...(q.action ? { action: q.action } : {}), ...(q.target ? { target: q.target } : {}) });
    return send(reply, { title: 'Audit log', section: 'audit', csrf: csrf(req), notice: q.notice, error: parsed.success ? q.error : problem(parsed.error) },
      auditPage({ entries: result.entries, ...(result.next ? { next: result.next } : {}), action: q.action, target: q.target }));
  });

  const board = new FastifyAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: s.queues.platforms().map((p) => new BullMQAdapter(s.queues.queue(p), { readOnlyMode: true })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Herald queues' } },
  });
  await app.register(board.registerPlugin(), { prefix: '/admin/queues' });
};
