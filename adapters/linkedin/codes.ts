/**
 * Every delivery error code the LinkedIn adapter raises (with the kit's `linkedin.network`,
 * `linkedin.server_error`, …, and the OAuth kit's). LinkedIn's own error code (REVOKED_ACCESS_TOKEN,
 * DUPLICATE_POST, a processing failure reason) is kept in `platformCode`.
 */
import { adapterErrors } from '../../src/platform/codes.ts';

export const linkedinErrors = adapterErrors('linkedin', {
  'linkedin.token_revoked': { kind: 'auth', meaning: 'the member withdrew consent (REVOKED_ACCESS_TOKEN); the account must be reconnected' },
  'linkedin.token_expired': { kind: 'auth', meaning: 'the access token expired or is invalid; refreshed once, then the account must be reconnected' },
  'linkedin.rate_limited': { kind: 'rate_limited', meaning: 'LinkedIn answered 429; retried after 5 min, doubling per 429 of the delivery, never later than the next 00:00 UTC' },
  'linkedin.version_retired': { kind: 'rate_limited', meaning: 'LinkedIn no longer serves the configured LINKEDIN_API_VERSION (426): LinkedIn is paused until an operator upgrades it' },
  'linkedin.forbidden': { kind: 'rejected', meaning: 'the token lacks the permission for this author (403)' },
  'linkedin.duplicate_post': { kind: 'rejected', meaning: 'LinkedIn refused the post as a duplicate of a recent one' },
  'linkedin.not_found': { kind: 'rejected', meaning: 'LinkedIn answered 404' },
  'linkedin.invalid_request': { kind: 'rejected', meaning: 'LinkedIn refused the request as invalid (4xx)' },
  'linkedin.invalid_author': { kind: 'rejected', meaning: "the account's externalId is not an author URN" },
  'linkedin.media_combination': { kind: 'rejected', meaning: 'a LinkedIn post carries one video, or one document, or 1–20 images' },
  'linkedin.video_processing_failed': { kind: 'rejected', meaning: 'LinkedIn could not process the video' },
  'linkedin.media_processing_failed': { kind: 'rejected', meaning: 'LinkedIn could not process the image or document' },
  'linkedin.media_processing': { kind: 'transient', meaning: 'LinkedIn refused the post because its media is still processing; retried' },
  'linkedin.upload_url_expired': { kind: 'transient', meaning: 'the signed upload URL expired; the next attempt starts a new upload' },
  'linkedin.media_truncated': { kind: 'transient', meaning: 'the media ended before the byte range LinkedIn asked for' },
}, { oauth: true });

export const { rateLimited, transient, authFailed, rejected, unknownOutcome } = linkedinErrors;
