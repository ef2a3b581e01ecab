/** Request and response schemas of the HTTP API (the OpenAPI document is generated from these). */
import { z } from 'zod';
import { DELIVERY_STATUSES, POST_STATUSES } from '../domain/delivery.ts';
import { PLATFORMS } from '../platform/port.ts';

export const platformSchema = z.enum(PLATFORMS);

const idOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{17}$`), `must be a ${prefix}_ id`);
export const postId = idOf('pst');
export const deliveryId = idOf('dlv');
export const accountId = idOf('acc');

export const rfc3339 = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp with an offset, e.g. 2026-12-01T09:00:00+01:00' });

const timezone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, e.g. Europe/Paris');

export const mediaItem = z
  .object({
    url: z.string().max(2048).optional(),
    mediaId: z.string().regex(/^med_[0-9a-z]{17}$/, 'must be a med_ id').optional(),
    altText: z.string().max(1500).optional(),
  })
  .strict()
  .refine((m) => (m.url === undefined) !== (m.mediaId === undefined), 'give exactly one of url or mediaId');

export const target = z
  .object({
    accountId: z.string().max(64),
    text: z.string().max(100_000).optional(),
    media: z.array(mediaItem).max(50).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const postBody = z
  .object({
    text: z.string().max(100_000).default(''),
    media: z.array(mediaItem).max(50).optional(),
    targets: z.array(target).min(1, 'name at least one target account').max(50),
    scheduledAt: rfc3339.optional(),
    timezone: timezone.optional(),
  })
  .strict();

export const patchBody = z
  .object({
    text: z.string().max(100_000).optional(),
    media: z.array(mediaItem).max(50).optional(),
    targets: z.array(target).min(1).max(50).optional(),
    scheduledAt: rfc3339.optional(),
    timezone: timezone.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');

export const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.array(z.unknown()).optional(),
  }),
});

export const historyEntry = z.object({
  at: z.string(), event: z.string(), status: z.enum(DELIVERY_STATUSES), attempt: z.number().optional(),
  code: z.string().optional(), message: z.string().optional(), platformStatus: z.number().optional(), platformCode: z.string().optional(),
  actor: z.string().optional(), reason: z.string().optional(),
});

export const deliveryOut = z.object({
  id: z.string(),
  postId: z.string().optional(),
  creatorId: z.string().optional(),
  accountId: z.string(),
  platform: platformSchema,
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  scheduledAt: z.string(),
  platformPostId: z.string().nullable(),
  url: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable(),
  nextAttemptAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  handoff: z.object({ instructions: z.string(), text: z.string(), mediaUrls: z.array(z.string()), deepLink: z.string().optional() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(historyEntry),
});

export const postOut = z.object({
  id: z.string(),
  status: z.enum(POST_STATUSES),
  text: z.string(),
  media: z.array(z.object({ url: z.string().optional(), mediaId: z.string().optional(), altText: z.string().optional() })),
  targets: z.array(z.object({ accountId: z.string(), text: z.string().optional(), media: z.array(z.unknown()).optional(), options: z.record(z.string(), z.unknown()).optional() })),
  scheduledAt: z.string(),
  timezone: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveries: z.array(deliveryOut),
});

export const issueOut = z.object({
  target: z.number().optional(),
  accountId: z.string().optional(),
  platform: platformSchema.optional(),
  field: z.string(),
  code: z.string(),
  message: z.string(),
});

export const accountOut = z.object({
  id: z.string(),
  platform: platformSchema,
  externalId: z.string(),
  handle: z.string().nullable(),
  status: z.enum(['active', 'reauth_required']),
  settings: z.record(z.string(), z.unknown()),
  blockedUntil: z.string().nullable(),
  reauthReason: z.string().nullable(),
  /** A refresh's answer was lost and this platform's refresh tokens are single-use: the account may need reconnecting. */
  refreshRisk: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const accountBody = z
  .object({
    platform: platformSchema,
    externalId: z.string().min(1).max(512),
    handle: z.string().max(256).optional(),
    credentials: z
      .object({
        accessToken: z.string().min(1).max(8192),
        refreshToken: z.string().min(1).max(8192).optional(),
        expiresAt: rfc3339.optional(),
        refreshTokenExpiresAt: rfc3339.optional(),
        scope: z.string().max(2048).optional(),
      })
      .catchall(z.unknown()),
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const cursorSchema = z.string().max(200).regex(/^-?\d+(\.\d+)?:[A-Za-z0-9_-]+$/, 'is not a cursor returned by this API');
export const limitSchema = z.coerce.number().int().min(1).max(100).default(20);

export const listPostsQuery = z
  .object({
    status: z.enum(POST_STATUSES).optional(),
    platform: platformSchema.optional(),
    accountId: z.string().max(64).optional(),
    from: rfc3339.optional(),
    to: rfc3339.optional(),
    cursor: cursorSchema.optional(),
    limit: limitSchema,
  })
  .strict();

export const adminDeliveriesQuery = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    platform: platformSchema.optional(),
    creatorId: z.string().max(64).optional(),
    errorCode: z.string().max(128).optional(),
    cursor: cursorSchema.optional(),
    limit: limitSchema,
  })
  .strict();

export const reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(1000);
