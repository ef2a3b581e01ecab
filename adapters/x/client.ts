/**
 * Thin HTTP helpers for X: real api.x.com URLs (the transport applies PLATFORM_X_URL),
 * the Bearer header, error classification and zod schemas for the answers Herald reads.
 */
import { z } from 'zod';
import type { HttpResponse, PlatformHttp, RequestPhase } from '../../src/platform/http.ts';
import { parseBody } from '../../src/platform/http.ts';
import { classifyXError, type XOperation } from './errors.ts';

export const X_API = 'https://api.x.com';
/** Browser-facing; not an adapter call (x.md "Hosts"). */
export const X_AUTHORIZE_URL = 'https://x.com/i/oauth2/authorize';

export interface XCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under https://api.x.com, e.g. /2/tweets. */
  path: string;
  phase: RequestPhase;
  op: XOperation;
  token?: string;
  json?: unknown;
  body?: FormData | URLSearchParams | Uint8Array[];
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
}

export function xUrl(path: string, query?: Record<string, string | undefined>): string {
  const url = new URL(path, X_API);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** Send one call; any non-2xx answer is thrown as a classified AdapterError. */
export async function xCall(http: PlatformHttp, call: XCall): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  let body: string | FormData | URLSearchParams | Uint8Array[] | undefined = call.body;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  }
  const res = await http.request({ method: call.method, url: xUrl(call.path, call.query), headers, body, phase: call.phase });
  if (res.status < 200 || res.status > 299) throw classifyXError(res, call.op);
  return res;
}

export function parseX<S extends z.ZodType>(schema: S, res: HttpResponse, phase: RequestPhase, doc: string): z.infer<S> {
  return parseBody(schema, res, { platform: 'x', phase, doc });
}

export const DOCS = {
  createPost: 'https://docs.x.com/x-api/posts/create-post',
  mediaInitialize: 'https://docs.x.com/x-api/media/initialize-media-upload',
  mediaFinalize: 'https://docs.x.com/x-api/media/finalize-media-upload',
  mediaStatus: 'https://docs.x.com/x-api/media/get-media-upload-status',
  userTimeline: 'https://docs.x.com/x-api/posts/timelines',
  usersMe: 'https://docs.x.com/x-api/users/get-my-user',
  token: 'https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token',
} as const;

// https://docs.x.com/x-api/posts/create-post — 201 {"data":{"id","text","edit_history_tweet_ids"}}
export const createPostResponse = z.object({
  data: z.object({ id: z.string().min(1), text: z.string().optional() }),
});

// https://docs.x.com/x-api/media/initialize-media-upload — 200 {"data":{"id","media_key","expires_after_secs"}}
export const mediaInitResponse = z.object({
  data: z.object({ id: z.string().min(1), media_key: z.string().optional(), expires_after_secs: z.number().optional() }),
});

// https://docs.x.com/x-api/media/finalize-media-upload (and the STATUS answer, same `data` shape)
export const processingInfo = z.object({
  state: z.enum(['pending', 'in_progress', 'succeeded', 'failed']),
  check_after_secs: z.number().optional(),
  progress_percent: z.number().optional(),
  error: z.object({ code: z.number(), name: z.string(), message: z.string() }).partial().optional(),
});
export const mediaFinalizeResponse = z.object({
  data: z.object({
    id: z.string().min(1),
    media_key: z.string().optional(),
    size: z.number().optional(),
    expires_after_secs: z.number().optional(),
    processing_info: processingInfo.optional(),
  }),
});
export type ProcessingInfo = z.infer<typeof processingInfo>;

// https://docs.x.com/x-api/posts/timelines (GET /2/users/:id/tweets) — {"data":[…]?,"meta":{"result_count","next_token"?}}
export const userTimelineResponse = z.object({
  data: z
    .array(
      z.object({
        id: z.string(),
        text: z.string(),
        created_at: z.string().optional(),
        referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
      }),
    )
    .optional(),
  meta: z.object({ result_count: z.number().optional(), next_token: z.string().optional() }).optional(),
});

// https://docs.x.com/x-api/users/get-my-user — {"data":{"id","name","username"}}
export const usersMeResponse = z.object({
  data: z.object({ id: z.string().min(1), username: z.string().min(1), name: z.string().optional() }),
});
