/**
 * Engagement of a post where the scopes allow it: `GET /rest/socialActions/{encoded urn}`
 * (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/network-update-social-actions)
 * returns `likesSummary` and `commentsSummary`. Reading needs `r_organization_social` for an
 * organization's posts, or the restricted `r_member_social` (select developers only) for a
 * member's; the ordinary `w_member_social` token cannot read, and then Herald says so instead
 * of showing zeros. LinkedIn gives no impressions here (those are in organization share
 * statistics, an org-only report) and no reshare count.
 */
import { z } from 'zod';
import type { MetricsContext, MetricsReading } from '../../src/platform/port.ts';
import { parseBody } from '../../src/platform/http.ts';
import { apiVersion, encodeUrn, isOk, restRequest } from './client.ts';
import { classifyFailure } from './errors.ts';

const DOC = 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/network-update-social-actions';

// {"likesSummary":{"totalLikes","aggregatedTotalLikes"?,"likedByCurrentUser"},"commentsSummary":{"totalFirstLevelComments","aggregatedTotalComments"},"target"}
const socialActions = z.looseObject({
  likesSummary: z.looseObject({ totalLikes: z.number() }).optional(),
  commentsSummary: z.looseObject({ totalFirstLevelComments: z.number().optional(), aggregatedTotalComments: z.number().optional() }).optional(),
});

/** The read scope this author needs: organizations' posts vs a member's. */
const readScopeFor = (authorUrn: string) => (authorUrn.startsWith('urn:li:organization:') ? 'r_organization_social' : 'r_member_social');

export async function readLinkedInMetrics(input: { platformPostId: string; account: { externalId: string } }, ctx: MetricsContext): Promise<MetricsReading> {
  const needed = readScopeFor(input.account.externalId);
  const granted = ctx.credentials.scope?.split(/[ ,]+/).filter(Boolean);
  const noScope = `LinkedIn only shows likes and comments to tokens with ${needed}${needed === 'r_member_social' ? ' (a restricted permission LinkedIn grants to select developers)' : ''}; this account's token has ${granted?.join(', ') || 'no read scope'}`;
  if (granted && !granted.includes(needed)) return { status: 'unavailable', reason: noScope };
  const res = await restRequest(ctx, { method: 'GET', path: `/socialActions/${encodeUrn(input.platformPostId)}`, phase: 'read' });
  if (res.status === 403) return { status: 'unavailable', reason: noScope };
  if (res.status === 404) return { status: 'unavailable', reason: 'LinkedIn no longer has this post' };
  if (!isOk(res)) throw classifyFailure(res, { step: 'read', apiVersion: apiVersion(ctx.settings) });
  const body = parseBody(socialActions, res, { platform: 'linkedin', phase: 'read', doc: DOC });
  const comments = body.commentsSummary?.aggregatedTotalComments ?? body.commentsSummary?.totalFirstLevelComments;
  return {
    status: 'ok',
    metrics: {
      ...(body.likesSummary ? { likes: body.likesSummary.totalLikes } : {}),
      ...(comments !== undefined ? { comments } : {}),
      raw: { likesSummary: body.likesSummary ?? null, commentsSummary: body.commentsSummary ?? null },
    },
  };
}
