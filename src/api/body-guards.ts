/**
 * What Herald accepts as a JSON body before any schema sees it: an empty body is no body,
 * and nesting is bounded (deep nesting is never a post, and recursive code downstream,
 * such as the idempotency fingerprint or JSON.stringify, must never meet it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

/** A post is at most 8 levels deep (body → targets → item → options → thread → item → media → item). */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects or arrays deeper than `max` (iterative: deep input cannot overflow the stack). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export function installJsonGuards(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // `Content-Type: application/json` with no body (curl -X POST -H … without -d) is no body.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(req, body as string, done);
  });
  app.addHook('preValidation', async (req: FastifyRequest) => {
    if (typeof req.body === 'object' && req.body !== null && nestsDeeperThan(req.body, MAX_JSON_DEPTH)) {
      throw new ApiError('invalid_request', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
  });
}
