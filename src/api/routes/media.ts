import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MediaFetchError } from '../../media/fetch.ts';
import { MediaStorageError } from '../../media/store.ts';
import { creatorOf } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorEnvelope } from '../schemas.ts';
import type { Services } from '../services.ts';

const MEDIA_TYPES = /^(image\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|application\/pdf|application\/msword|application\/vnd\.ms-powerpoint|application\/vnd\.openxmlformats-officedocument\.[a-z.]+)$/;
/**
 * Types a browser runs as a document (script included) when opened from Herald's origin, the
 * origin that also serves Swagger UI. No platform Herald publishes to accepts them.
 */
const ACTIVE_TYPES = new Set(['image/svg+xml']);

/**
 * Every media response: a download, never sniffed into HTML, and with no script or
 * same-origin rights even if a browser renders it (defence in depth: the bytes are the
 * creator's, and the origin is Herald's).
 */
const SAFE_SERVING_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-disposition': 'attachment',
  'content-security-policy': "default-src 'none'; sandbox",
} as const;

export const mediaRoutes = (s: Services): FastifyPluginAsyncZod => async (app) => {
  // Raw media bodies stream straight to disk; they are never parsed or buffered.
  app.addContentTypeParser(/^(image|video|application)\/[a-z0-9.+-]+$/, { bodyLimit: s.config.mediaMaxBytes }, (_req, payload, done) => done(null, payload));

  app.post('/v1/media', {
    bodyLimit: s.config.mediaMaxBytes,
    schema: {
      tags: ['media'], summary: 'Upload media (raw body; Content-Type = the media type)',
      description: 'curl --data-binary @video.mp4 -H "Content-Type: video/mp4" …/v1/media',
      response: { 201: z.object({ id: z.string(), url: z.string(), mimeType: z.string(), bytes: z.number(), sha256: z.string() }), 415: errorEnvelope, 413: errorEnvelope, 507: errorEnvelope },
    },
  }, async (req, reply) => {
    const creatorId = creatorOf(req);
    const mimeType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ACTIVE_TYPES.has(mimeType)) {
      throw new ApiError('unsupported_media_type', `${mimeType} is not accepted: it can carry script, and no platform Herald publishes to takes it`);
    }
    if (!MEDIA_TYPES.test(mimeType) || mimeType === 'application/json') {
      throw new ApiError('unsupported_media_type', 'send the file as the raw body with its media type as Content-Type (image/*, video/*, application/pdf, …)');
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > s.config.mediaMaxBytes) {
      throw new ApiError('payload_too_large', `the upload is ${declared} bytes; the limit is ${s.config.mediaMaxBytes} (MEDIA_MAX_BYTES)`);
    }
    try {
      const m = await s.media.save(creatorId, req.body as Readable, mimeType, s.config.mediaMaxBytes);
      await s.store.audit.append({ actor: creatorId, action: 'media.upload', target: m.id, details: { bytes: m.bytes, mimeType } });
      return reply.code(201).send({ id: m.id, url: s.media.signedUrl(m.id), mimeType: m.mimeType, bytes: m.bytes, sha256: m.sha256 });
    } catch (err) {
      if (err instanceof MediaStorageError) throw new ApiError(err.code, err.message);
      if (err instanceof MediaFetchError) {
        throw new ApiError(err.code === 'media_too_large' ? 'payload_too_large' : err.code === 'media_type_not_supported' ? 'unsupported_media_type' : 'invalid_request', err.message);
      }
      throw err;
    }
  });

  app.get('/media/:id', {
    config: { auth: 'none' },
    onRequest: async (_req, reply) => {
      reply.headers(SAFE_SERVING_HEADERS);
    },
    schema: { tags: ['media'], summary: 'Serve uploaded media at a signed URL (for platforms that pull media)', params: z.object({ id: z.string().max(64) }), querystring: z.object({ exp: z.string().max(20), sig: z.string().max(100) }) },
  }, async (req, reply) => {
    if (!s.media.verify(req.params.id, req.query.exp, req.query.sig)) throw notFound('media');
    const m = await s.media.get(req.params.id);
    if (!m) throw notFound('media');
    const path = s.media.pathOf(m.sha256);
    reply.header('content-type', m.mimeType).header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=3600');
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), m.bytes - 1) : m.bytes - 1;
      if (start >= m.bytes || start > end) return reply.code(416).header('content-range', `bytes */${m.bytes}`).send();
      reply.code(206).header('content-range', `bytes ${start}-${end}/${m.bytes}`).header('content-length', String(end - start + 1));
      return reply.send(createReadStream(path, { start, end }));
    }
    reply.header('content-length', String(m.bytes));
    return reply.send(createReadStream(path));
  });
};
