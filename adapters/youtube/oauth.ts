/**
 * Google OAuth 2.0 for YouTube on the OAuth 2 kit: authorize URL (offline access, consent,
 * PKCE S256), code exchange followed by channels.list to learn the channel id, and token
 * refresh. Google refresh tokens do not rotate: a refresh answer carries only a new access token.
 * https://developers.google.com/identity/protocols/oauth2/web-server
 */
import { rejected } from './codes.ts';
import { parseBody } from '../../src/platform/http.ts';
import { defineOAuth2 } from '../../src/platform/oauth2.ts';
import { AUTHORIZE_URL, bearer, CHANNELS_URL, channelListResponse, DOCS, TOKEN_URL } from './client.ts';
import { classifyApiError } from './errors.ts';

/** youtube.upload to insert videos; youtube.readonly for channels.list mine=true. */
export const YOUTUBE_SCOPES = [
  'https://www.googleapis.com/auth/youtube.upload',
  'https://www.googleapis.com/auth/youtube.readonly',
] as const;

export const youtubeOAuth2 = defineOAuth2({
  platform: 'youtube',
  displayName: 'YouTube',
  authorizeUrl: AUTHORIZE_URL,
  tokenUrl: TOKEN_URL,
  scopes: YOUTUBE_SCOPES,
  pkce: true,
  // client_id and client_secret in the form body (web server apps).
  clientAuth: 'form',
  // offline + consent: Google returns a refresh token only on such a consent.
  authorizeParams: { access_type: 'offline', prompt: 'consent' },
  // Not rotated: Google sends no refresh_token on refresh; the stored one is kept.
  rotation: { kind: 'reusable' },
  docs: DOCS.oauth,
});

export const refreshYouTube = youtubeOAuth2.refresh;

export const youtubeOAuth = youtubeOAuth2.flow(async (t, ctx) => {
  const list = await ctx.http.request({ method: 'GET', url: `${CHANNELS_URL}?part=snippet&mine=true`, phase: 'read', headers: bearer(t.access_token) });
  if (list.status !== 200) throw classifyApiError(list, 'read');
  const channel = parseBody(channelListResponse, list, { platform: 'youtube', phase: 'read', doc: DOCS.channels }).items?.[0];
  if (!channel) {
    throw rejected({
      code: 'youtube.signup_required', platformCode: 'youtubeSignupRequired',
      message: 'this Google account has no YouTube channel; create one at https://www.youtube.com/create_channel and connect again',
    });
  }
  return { externalId: channel.id, handle: channel.snippet?.customUrl ?? channel.snippet?.title };
});
