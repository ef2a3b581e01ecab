/**
 * One row per API operation: the operationId SDK generators name their methods after, a
 * summary (a route's own `schema.summary` wins), and the error codes it answers with beyond
 * those its shape implies (auth, params, body: see errorCodes in openapi.ts). Building the
 * document fails on a route without a row, so a new route cannot ship undocumented.
 */
import type { ApiErrorCode } from './errors.ts';

export interface OperationDoc {
  operationId: string;
  summary: string;
  errors?: readonly ApiErrorCode[];
  /** What a success is, for a route whose schema declares no 2xx body (it streams bytes). */
  ok?: string;
}

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /healthz': { operationId: 'getHealth', summary: 'Process is up' },
  'GET /readyz': { operationId: 'getReadiness', summary: 'Redis is reachable', errors: ['not_ready'] },
  'POST /v1/accounts': { operationId: 'connectAccount', summary: 'Connect an account with tokens you already hold', errors: ['validation_failed', 'platform_not_available'] },
  'GET /v1/accounts': { operationId: 'listAccounts', summary: 'List connected accounts' },
  'GET /v1/accounts/:id': { operationId: 'getAccount', summary: 'Read one connected account' },
  'DELETE /v1/accounts/:id': { operationId: 'deleteAccount', summary: 'Disconnect an account (its credentials are deleted)' },
  'GET /v1/connect/:platform': { operationId: 'startOAuthConnect', summary: 'Start connecting an account through OAuth (returns the authorize URL)', errors: ['platform_not_available'] },
  'GET /v1/connect/:platform/authorize': { operationId: 'authorizeOAuthConnect', summary: 'The authUrl: binds the connect to this browser and redirects to the platform, once', errors: ['platform_not_available'] },
  'GET /v1/connect/:platform/callback': { operationId: 'finishOAuthConnect', summary: 'OAuth redirect target: exchanges the code and stores the account', errors: ['platform_not_available'] },
  'POST /v1/media': { operationId: 'uploadMedia', summary: 'Upload a media file (streamed to disk, stored once per content hash)' },
  'GET /media/:id': { operationId: 'getMedia', summary: 'Download uploaded media through its signed URL', ok: 'The media bytes (Range requests answer 206)' },
  'POST /v1/posts': { operationId: 'createPost', summary: 'Schedule a post to one or more accounts', errors: ['validation_failed', 'idempotency_mismatch', 'idempotency_in_progress'] },
  'POST /v1/posts/validate': { operationId: 'validatePost', summary: 'Check a post against every target platform\'s rules without storing it', errors: ['validation_failed'] },
  'GET /v1/posts': { operationId: 'listPosts', summary: 'List posts, newest first, with a cursor' },
  'GET /v1/posts/:id': { operationId: 'getPost', summary: 'Read a post and its deliveries' },
  'GET /v1/posts/:id/metrics': { operationId: 'getPostMetrics', summary: 'Latest engagement per delivery, with when it was collected' },
  'POST /v1/posts/:id/metrics/refresh': { operationId: 'refreshPostMetrics', summary: 'Collect the post\'s engagement again soon', errors: ['rate_limited'] },
  'PATCH /v1/posts/:id': { operationId: 'updatePost', summary: 'Edit or reschedule a post whose deliveries have not started', errors: ['conflict', 'validation_failed'] },
  'DELETE /v1/posts/:id': { operationId: 'cancelPost', summary: 'Cancel the deliveries of a post that have not started', errors: ['conflict'] },
  'POST /v1/posts/:id/retry': { operationId: 'retryPost', summary: 'Re-queue the failed, retryable deliveries of a post', errors: ['conflict'] },
  'POST /v1/deliveries/:id/complete': { operationId: 'completeDelivery', summary: 'Report a handoff delivery as published by hand', errors: ['conflict'] },
  'POST /v1/webhooks': { operationId: 'createWebhook', summary: 'Subscribe an HTTPS endpoint to delivery events' },
  'GET /v1/webhooks': { operationId: 'listWebhooks', summary: 'List webhook subscriptions' },
  'GET /v1/webhooks/:id': { operationId: 'getWebhook', summary: 'Read one webhook subscription' },
  'DELETE /v1/webhooks/:id': { operationId: 'deleteWebhook', summary: 'Delete a webhook subscription' },
  'GET /v1/webhooks/:id/deliveries': { operationId: 'listWebhookDeliveries', summary: 'List recent sends of a webhook' },
  'POST /v1/webhooks/:id/test': { operationId: 'testWebhook', summary: 'Send a test event to a webhook' },
  'POST /v1/admin/creators': { operationId: 'adminCreateCreator', summary: 'Create a creator and its API key' },
  'GET /v1/admin/creators': { operationId: 'adminListCreators', summary: 'List creators' },
  'GET /v1/admin/deliveries': { operationId: 'adminListDeliveries', summary: 'List deliveries across creators, by status' },
  'GET /v1/admin/deliveries/:id': { operationId: 'adminGetDelivery', summary: 'Read any delivery with its history' },
  'POST /v1/admin/deliveries/:id/retry': { operationId: 'adminRetryDelivery', summary: 'Retry one delivery, with a reason', errors: ['conflict'] },
  'POST /v1/admin/retries': { operationId: 'adminRetryDeliveries', summary: 'Retry many deliveries at once, with a reason', errors: ['conflict'] },
  'POST /v1/admin/deliveries/:id/resolve': { operationId: 'adminResolveDelivery', summary: 'Settle an unknown or awaiting_action delivery as published or not', errors: ['conflict'] },
  'GET /v1/admin/queues': { operationId: 'adminGetQueues', summary: 'Queue depths and paused platforms' },
  'POST /v1/admin/platforms/:platform/pause': { operationId: 'adminPausePlatform', summary: 'Pause publishing to a platform' },
  'POST /v1/admin/platforms/:platform/resume': { operationId: 'adminResumePlatform', summary: 'Resume publishing to a platform' },
  'GET /v1/admin/audit': { operationId: 'adminListAudit', summary: 'Read the audit log' },
};
