/**
 * Every delivery error code the YouTube adapter raises (with the kit's `youtube.network`,
 * `youtube.server_error`, …, and the OAuth kit's). Google's `errors[0].reason` (quotaExceeded, invalidTitle, …)
 * and token-endpoint `error` are kept in `platformCode`, never in the code.
 */
import { adapterErrors } from '../../src/platform/codes.ts';

export const youtubeErrors = adapterErrors('youtube', {
  'youtube.quota_exceeded': { kind: 'rate_limited', meaning: "the Google project's daily quota is used up (quotaExceeded); every channel waits for midnight Pacific time" },
  'youtube.upload_limit_exceeded': { kind: 'rate_limited', meaning: "the channel's rolling 24-hour upload cap is reached (uploadLimitExceeded)" },
  'youtube.rate_limited': { kind: 'rate_limited', meaning: 'YouTube asked to slow down (rateLimitExceeded, userRateLimitExceeded or 429)' },
  'youtube.unauthorized': { kind: 'auth', meaning: 'YouTube did not accept the access token (401); refreshed once, then reconnect' },
  'youtube.account_cannot_upload': { kind: 'auth', meaning: 'the Google account cannot upload (no channel, suspended, closed or missing permission); fix the account and reconnect' },
  'youtube.signup_required': { kind: 'rejected', meaning: 'the Google account has no YouTube channel (at connect)' },
  'youtube.forbidden': { kind: 'rejected', meaning: 'YouTube refused the request (403)' },
  'youtube.not_found': { kind: 'rejected', meaning: 'YouTube answered 404' },
  'youtube.invalid_request': { kind: 'rejected', meaning: 'YouTube refused the video metadata or request (4xx, e.g. invalidTitle)' },
  'youtube.video_required': { kind: 'rejected', meaning: 'a YouTube upload carries exactly one video' },
  'youtube.media_size_mismatch': { kind: 'rejected', meaning: 'the media size changed between the session start and the upload' },
  'youtube.session_lost': { kind: 'unknown', meaning: 'the upload session expired after its final chunk may have been sent; the video may exist' },
  'youtube.session_expired': { kind: 'transient', meaning: 'upload sessions kept disappearing during the upload; nothing was published' },
  'youtube.no_session_uri': { kind: 'transient', meaning: 'YouTube started no upload session (no Location header)' },
  'youtube.upload_interrupted': { kind: 'transient', meaning: 'the upload stopped before the final chunk; resumed on the next attempt' },
  'youtube.upload_not_finalised': { kind: 'transient', meaning: 'YouTube has not finished the upload yet' },
  'youtube.aborted': { kind: 'transient', meaning: 'the run was stopped during the upload' },
}, { oauth: true });

export const { rateLimited, transient, authFailed, rejected, unknownOutcome } = youtubeErrors;
