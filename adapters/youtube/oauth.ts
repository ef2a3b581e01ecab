/**
 * Google OAuth 2.0 for YouTube: authorize URL (offline access, consent, PKCE S256), code
 * exchange followed by channels.list to learn the channel id, and token refresh.
 * Google refresh tokens do not rotate: a refresh answer carries only a new access token.
 * https://developers.google.com/identity/protocols/oauth2/web-server
 */
import { authFailed, rejected } from '../../src/platform/errors.ts';
import { parseBody } from '../../src/platform/http.ts';
import type { Credentials, OAuthFlow, PlatformSettings, RefreshContext } from '../../src/platform/port.ts';
import { AUTHORIZE_URL, bearer, CHANNELS_URL, channelListResponse, DOCS, TOKEN_URL, tokenResponse } from './client.ts';
import { classifyApiError, classifyTokenError } from './errors.ts';

/** youtube.upload to insert videos; youtube.readonly for channels.list mine=true. */
export const YOUTUBE_SCOPES = [
  'https://www.googleapis.com/auth/youtube.upload',
  'https://www.googleapis.com/auth/youtube.readonly',
] as const;

function clientOf(settings: PlatformSettings): { clientId: string; clientSecret: string } {
  if (!settings.clientId || !settings.clientSecret) {
    throw authFailed({
      code: 'youtube.client_not_configured',
      refreshable: false,
      message: 'the YouTube OAuth client id and secret are not configured in Herald',
    });
  }
  return { clientId: settings.clientId, clientSecret: settings.clientSecret };
}

function expiresAt(expiresIn: number | undefined): string | undefined {
  return expiresIn === undefined ? undefined : new Date(Date.now() + expiresIn * 1000).toISOString();
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

export async function refreshYouTube(credentials: Credentials, ctx: RefreshContext): Promise<Credentials> {
  if (!credentials.refreshToken) {
    throw authFailed({ code: 'youtube.no_refresh_token', refreshable: false, message: 'no Google refresh token stored; reconnect the YouTube account' });
  }
  const { clientId, clientSecret } = clientOf(ctx.settings);
  const res = await ctx.http.request({
    method: 'POST',
    url: TOKEN_URL,
    phase: 'prepare',
    headers: form,
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken, client_id: clientId, client_secret: clientSecret }),
  });
  if (res.status !== 200) throw classifyTokenError(res, 'refresh_token');
  const body = parseBody(tokenResponse, res, { platform: 'youtube', phase: 'read', doc: DOCS.oauth });
  return {
    ...credentials,
    accessToken: body.access_token,
    // Not rotated: keep the stored refresh token (Google sends none on refresh).
    refreshToken: body.refresh_token ?? credentials.refreshToken,
    expiresAt: expiresAt(body.expires_in),
    scope: body.scope ?? credentials.scope,
  };
}

export const youtubeOAuth: OAuthFlow = {
  pkce: true,
  scopes: YOUTUBE_SCOPES,
  authorizeUrl(start, rewrite) {
    const q = new URLSearchParams({
      client_id: start.clientId,
      redirect_uri: start.redirectUri,
      response_type: 'code',
      scope: YOUTUBE_SCOPES.join(' '),
      // offline + consent: Google returns a refresh token only on such a consent.
      access_type: 'offline',
      prompt: 'consent',
      state: start.state,
    });
    if (start.codeChallenge) {
      q.set('code_challenge', start.codeChallenge);
      q.set('code_challenge_method', 'S256');
    }
    return rewrite(`${AUTHORIZE_URL}?${q.toString()}`);
  },

  async exchange({ code, redirectUri, codeVerifier }, ctx) {
    const { clientId, clientSecret } = clientOf(ctx.settings);
    const params = new URLSearchParams({
      grant_type: 'authorization_code', code, client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri,
    });
    if (codeVerifier) params.set('code_verifier', codeVerifier);
    const res = await ctx.http.request({ method: 'POST', url: TOKEN_URL, phase: 'prepare', headers: form, body: params });
    if (res.status !== 200) throw classifyTokenError(res, 'authorization_code');
    const tokens = parseBody(tokenResponse, res, { platform: 'youtube', phase: 'read', doc: DOCS.oauth });
    if (!tokens.refresh_token) ctx.log.warn('Google returned no refresh token: the account will need reconnecting when the access token expires');

    const list = await ctx.http.request({
      method: 'GET',
      url: `${CHANNELS_URL}?part=snippet&mine=true`,
      phase: 'read',
      headers: bearer(tokens.access_token),
    });
    if (list.status !== 200) throw classifyApiError(list, 'read');
    const channel = parseBody(channelListResponse, list, { platform: 'youtube', phase: 'read', doc: DOCS.channels }).items?.[0];
    if (!channel) {
      throw rejected({
        code: 'youtube.youtubeSignupRequired',
        message: 'this Google account has no YouTube channel; create one at https://www.youtube.com/create_channel and connect again',
      });
    }
    return {
      externalId: channel.id,
      handle: channel.snippet?.customUrl ?? channel.snippet?.title,
      credentials: {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: expiresAt(tokens.expires_in),
        scope: tokens.scope,
      },
    };
  },
};
