/**
 * Thin LinkedIn HTTP layer: real URLs (the transport applies PLATFORM_LINKEDIN_URL), the
 * three headers every /rest call needs, and zod schemas for what LinkedIn answers.
 * Classification of failures lives in errors.ts.
 */
import { z } from 'zod';
import type { HttpResponse, PlatformHttp, RequestPhase } from '../../src/platform/http.ts';
import type { Credentials, PlatformSettings } from '../../src/platform/port.ts';
import { apiVersion } from './version.ts';

export const REST_BASE = 'https://api.linkedin.com/rest';
export const OAUTH_BASE = 'https://www.linkedin.com/oauth/v2';
export const USERINFO_URL = 'https://api.linkedin.com/v2/userinfo';

export const DOCS = {
  posts: 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api',
  images: 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api',
  videos: 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api',
  documents: 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/documents-api',
  comments: 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api',
  versioning: 'https://learn.microsoft.com/en-us/linkedin/marketing/versioning',
  oauth: 'https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow',
  refresh: 'https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens',
  userinfo: 'https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2',
  errors: 'https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling',
} as const;

export const AUTHOR_URN = /^urn:li:(person|organization):[A-Za-z0-9_-]+$/;

export { apiVersion } from './version.ts';

/** Headers for every /rest call: LinkedIn rejects calls without both versioning headers. */
export function restHeaders(credentials: Credentials, settings: PlatformSettings, json = true): Record<string, string> {
  return {
    Authorization: `Bearer ${credentials.accessToken}`,
    'LinkedIn-Version': apiVersion(settings),
    'X-Restli-Protocol-Version': '2.0.0',
    ...(json ? { 'Content-Type': 'application/json' } : {}),
  };
}

/** URNs go into paths URL-encoded (`urn%3Ali%3Avideo%3A…`). */
export const encodeUrn = (urn: string) => encodeURIComponent(urn);

export interface RestCall {
  http: PlatformHttp;
  credentials: Credentials;
  settings: PlatformSettings;
}

export function restRequest(
  c: RestCall,
  req: { method: 'GET' | 'POST'; path: string; body?: unknown; phase: RequestPhase },
): Promise<HttpResponse> {
  return c.http.request({
    method: req.method,
    url: `${REST_BASE}${req.path}`,
    headers: restHeaders(c.credentials, c.settings, req.body !== undefined),
    ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
    phase: req.phase,
  });
}

export const isOk = (res: HttpResponse) => res.status >= 200 && res.status < 300;

// Rest.li error envelope. https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling
export const restliErrorSchema = z.looseObject({
  status: z.number().optional(),
  code: z.string().optional(),
  serviceErrorCode: z.number().optional(),
  message: z.string().optional(),
  errorDetailType: z.string().optional(),
  errorDetails: z.looseObject({
    inputErrors: z.array(z.looseObject({ code: z.string().optional(), description: z.string().optional() })).optional(),
  }).optional(),
});
export type RestliError = z.infer<typeof restliErrorSchema>;

// POST /rest/images?action=initializeUpload → value.{uploadUrl, image}. See DOCS.images
export const imageInitSchema = z.object({
  value: z.object({ uploadUrl: z.url(), image: z.string().startsWith('urn:li:image:'), uploadUrlExpiresAt: z.number().optional() }),
});

// POST /rest/documents?action=initializeUpload → value.{uploadUrl, document}. See DOCS.documents
export const documentInitSchema = z.object({
  value: z.object({ uploadUrl: z.url(), document: z.string().startsWith('urn:li:document:'), uploadUrlExpiresAt: z.number().optional() }),
});

export const uploadInstructionSchema = z.object({
  uploadUrl: z.url(),
  firstByte: z.number().int().nonnegative(),
  lastByte: z.number().int().nonnegative(),
});
export type UploadInstruction = z.infer<typeof uploadInstructionSchema>;

// POST /rest/videos?action=initializeUpload → one instruction per 4 MiB range. See DOCS.videos
export const videoInitSchema = z.object({
  value: z.object({
    video: z.string().startsWith('urn:li:video:'),
    uploadInstructions: z.array(uploadInstructionSchema).min(1),
    uploadToken: z.string().optional().default(''),
    uploadUrlsExpireAt: z.number().optional(),
  }),
});

// GET /rest/videos/{urn} → status. See DOCS.videos
export const videoStatusSchema = z.looseObject({
  status: z.enum(['PROCESSING', 'AVAILABLE', 'WAITING_UPLOAD', 'PROCESSING_FAILED']),
  processingFailureReason: z.string().optional(),
});

// GET /rest/images/{urn} and /rest/documents/{urn} → status (page tokens; member tokens get 403). See DOCS.images
export const assetStatusSchema = z.looseObject({
  status: z.enum(['PROCESSING', 'AVAILABLE', 'WAITING_UPLOAD', 'PROCESSING_FAILED']),
});

// GET /v2/userinfo (OpenID Connect). See DOCS.userinfo
export const userinfoSchema = z.looseObject({ sub: z.string().min(1), name: z.string().optional() });
