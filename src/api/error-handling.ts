/**
 * Every error answer in one envelope: route errors, schema failures, the framework's own
 * errors (bad URL, over-long parameter, body limits) and the errors Node answers before
 * Fastify sees a request (malformed HTTP, oversized headers, request timeout).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { API_ERRORS, ApiError, type ApiErrorCode } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body is a post: when it is a JSON object that breaks the schema, the answer is
     * 422 validation_failed with every issue, like a post that breaks a platform rule.
     */
    postBody?: boolean;
  }
}

export function sendError(reply: FastifyReply, req: FastifyRequest, code: ApiErrorCode, message: string, details?: unknown[]) {
  return reply
    .code(API_ERRORS[code].status)
    .header('x-request-id', String(req.id))
    .send({ error: { code, message, requestId: String(req.id), ...(details ? { details } : {}) } });
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

interface SchemaIssue {
  instancePath: string;
  keyword?: string;
  message?: string;
}

/** Zod issues of a post body, named like the platform issues (`targets.0.text`). */
function postIssues(validation: SchemaIssue[]) {
  return validation.map((v) => {
    const path = v.instancePath.split('/').filter(Boolean);
    const target = path[0] === 'targets' && /^\d+$/.test(path[1] ?? '') ? Number(path[1]) : undefined;
    return { ...(target !== undefined ? { target } : {}), field: path.join('.'), code: v.keyword ?? 'invalid', message: v.message ?? 'is invalid' };
  });
}

export function errorHandler(limits: { bodyLimitBytes: number }) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return sendError(reply, req, err.code, err.message, err.details);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      if (where === 'body' && req.routeOptions.config.postBody && isObject(req.body)) {
        const details = postIssues(err.validation);
        return sendError(reply, req, 'validation_failed', `the post is invalid: ${details.map((d) => `${d.field || '(post)'} ${d.message}`).slice(0, 3).join('; ')}`, details);
      }
      const details = err.validation.map((v) => ({
        field: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        code: 'invalid',
        message: v.message ?? 'is invalid',
      }));
      return sendError(reply, req, 'invalid_request', `the request ${where} is invalid: ${details.map((d) => `${d.field} ${d.message}`).slice(0, 3).join('; ')}`, details);
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE': {
        const limit = req.routeOptions.bodyLimit ?? limits.bodyLimitBytes;
        return sendError(reply, req, 'payload_too_large', `the body is larger than ${limit} bytes`);
      }
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
        const sent = req.headers['content-type'] ?? '(none)';
        const wanted = req.routeOptions.url === '/v1/media'
          ? 'send the file as the raw body with its media type (image/*, video/*, application/pdf, …)'
          : 'send application/json';
        return sendError(reply, req, 'unsupported_media_type', `Content-Type ${sent} is not supported here; ${wanted}`);
      }
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendError(reply, req, 'invalid_json', 'the body is not valid JSON');
    }
    if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
      return sendError(reply, req, 'invalid_json', 'the body is not valid JSON');
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, req, 'invalid_request', err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, req, 'internal_error', 'internal error; quote the requestId when reporting it');
  };
}

/** Errors the router raises before a route is chosen (Fastify's `frameworkErrors`). */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, req, 'uri_too_long', 'a path parameter is longer than any id Herald issues');
  if (err.code === 'FST_ERR_BAD_URL') return sendError(reply, req, 'invalid_request', 'the path is not validly percent-encoded');
  req.log.error({ err }, 'router error');
  return sendError(reply, req, 'internal_error', 'internal error; quote the requestId when reporting it');
}

/**
 * Node answers these itself, on the raw socket, before any request exists (Fastify's
 * `clientErrorHandler`): same envelope, with a fresh request id.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ApiErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['request_timeout', 'the request headers did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW' ? ['headers_too_large', 'the request headers are larger than the server accepts']
        : ['invalid_request', 'the request is not valid HTTP/1.1'];
  const status = API_ERRORS[code].status;
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code, message, requestId } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
