/**
 * LinkedIn OAuth 2.0 (3-legged, no PKCE for web apps) and programmatic refresh, on the OAuth 2
 * kit. Refresh tokens exist only for approved partners (MDP / Community Management); they
 * last 365 days from first consent and do not slide [V programmatic-refresh-tokens].
 */
import { nextUtcMidnight } from '../../src/platform/errors.ts';
import { parseBody } from '../../src/platform/http.ts';
import { defineOAuth2 } from '../../src/platform/oauth2.ts';
import { DOCS, isOk, OAUTH_BASE, USERINFO_URL, userinfoSchema } from './client.ts';
import { classifyFailure } from './errors.ts';

/** `openid profile` gives /v2/userinfo (the person id); `w_member_social` posts as the member. */
export const LINKEDIN_SCOPES = ['openid', 'profile', 'w_member_social'] as const;

export const linkedinOAuth2 = defineOAuth2({
  platform: 'linkedin',
  displayName: 'LinkedIn',
  authorizeUrl: `${OAUTH_BASE}/authorization`,
  tokenUrl: `${OAUTH_BASE}/accessToken`,
  scopes: LINKEDIN_SCOPES,
  pkce: false,
  // client_id and client_secret in the form body [V authorization-code-flow].
  clientAuth: 'form',
  // The same refresh token comes back; its 365-day expiry is fixed from first consent.
  rotation: { kind: 'reusable' },
  // LinkedIn throttles per UTC day and sends no reset header [S].
  retryAt: (_res, now) => nextUtcMidnight(now),
  noRefreshTokenMessage: 'the LinkedIn access token expired and there is no refresh token: LinkedIn gives refresh tokens only to approved partners (MDP / Community Management), so the member must reconnect the account (every 60 days)',
  docs: DOCS.refresh,
});

export const refreshLinkedIn = linkedinOAuth2.refresh;

export const linkedinOAuth = linkedinOAuth2.flow(async (t, ctx) => {
  const res = await ctx.http.request({ method: 'GET', url: USERINFO_URL, headers: { Authorization: `Bearer ${t.access_token}` }, phase: 'read' });
  if (!isOk(res)) throw classifyFailure(res, { step: 'read', apiVersion: '' });
  const me = parseBody(userinfoSchema, res, { platform: 'linkedin', phase: 'read', doc: DOCS.userinfo });
  return { externalId: `urn:li:person:${me.sub}`, ...(me.name ? { handle: me.name } : {}) };
});
