/**
 * Every delivery error code the X adapter raises (with the kit's `x.network`,
 * `x.server_error`, … and the OAuth kit's codes). X's own reason (`type` URI, media error
 * name) is kept in `platformCode`, never in the code.
 */
import { adapterErrors } from '../../src/platform/codes.ts';

export const xErrors = adapterErrors('x', {
  'x.rate_limited': { kind: 'rate_limited', meaning: "X's 15-minute rate limit for this account is reached; retried at x-rate-limit-reset" },
  'x.app_daily_limit': { kind: 'rate_limited', meaning: "the app's 24-hour posting limit is reached; every X account waits for its reset" },
  'x.user_daily_limit': { kind: 'rate_limited', meaning: "this account's 24-hour posting limit is reached" },
  'x.usage_capped': { kind: 'rate_limited', meaning: "the app used up its API usage cap for the billing period; re-checked hourly" },
  'x.unauthorized': { kind: 'auth', meaning: 'X did not accept the access token; refreshed once, then the account must be reconnected' },
  'x.unsupported_authentication': { kind: 'auth', meaning: 'X refused the kind of token sent; the account must be reconnected' },
  'x.duplicate_content': { kind: 'rejected', meaning: 'X refused the post as a duplicate of a recent post of this account' },
  'x.duplicate_after_unknown': { kind: 'unknown', meaning: 'X says duplicate after an attempt whose answer was lost, and the earlier post is not on the timeline yet' },
  'x.account_suspended': { kind: 'rejected', meaning: 'X says the account is suspended' },
  'x.client_forbidden': { kind: 'rejected', meaning: "X refused the app (it must belong to a Project with access to the endpoint)" },
  'x.not_permitted': { kind: 'rejected', meaning: 'X refused the post (text over its weighted limit or a media combination it does not allow)' },
  'x.forbidden': { kind: 'rejected', meaning: 'X refused the request (403)' },
  'x.invalid_request': { kind: 'rejected', meaning: 'X refused the request as invalid (400)' },
  'x.not_found': { kind: 'rejected', meaning: 'X answered 404 (e.g. the post replied to is gone)' },
  'x.refused': { kind: 'rejected', meaning: 'X refused the request with another 4xx' },
  'x.unexpected_status': { kind: ['transient', 'unknown'], meaning: 'X answered a status it does not document (1xx/3xx): transient before the write, unknown on it' },
  'x.no_post_id': { kind: 'unknown', meaning: 'no X post id was recorded for the delivery' },
  'x.media_unsupported': { kind: 'rejected', meaning: 'X cannot attach this kind of media' },
  'x.media_type_unsupported': { kind: 'rejected', meaning: 'X does not accept this media type' },
  'x.media_empty': { kind: 'rejected', meaning: 'the media file is empty' },
  'x.media_too_large': { kind: 'rejected', meaning: "the media file is larger than X's limit for its kind" },
  'x.media_combination': { kind: 'rejected', meaning: 'X allows up to 4 images, or 1 GIF, or 1 video per post' },
  'x.media_processing_failed': { kind: 'rejected', meaning: 'X could not process the uploaded media' },
}, { oauth: true });

export const { rateLimited, transient, authFailed, rejected, unknownOutcome } = xErrors;
