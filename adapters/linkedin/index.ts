/** LinkedIn (Posts API): the adapter, its simulator, conformance settings and declared settings. Details in README.md. */
import { z } from 'zod';
import { defineAdapter } from '../../src/platform/define.ts';
import type { PlatformModule } from '../../src/platform/registry.ts';
import { linkedinErrors } from './codes.ts';
import { linkedinManifest } from './manifest.ts';
import { readLinkedInMetrics } from './metrics.ts';
import { linkedinOAuth, refreshLinkedIn } from './oauth.ts';
import { versionStatus } from './version.ts';
import { linkedinProgress, lookupLinkedIn, publishLinkedIn, validateLinkedIn } from './publish.ts';
import { createLinkedInSimulator } from './simulator.ts';

export { linkedinManifest };

export const linkedinAdapter = defineAdapter({
  codes: linkedinErrors.codes,
  manifest: linkedinManifest,
  progress: linkedinProgress,
  validate: validateLinkedIn,
  publish: publishLinkedIn,
  lookup: lookupLinkedIn,
  refresh: refreshLinkedIn,
  oauth: linkedinOAuth,
  readMetrics: readLinkedInMetrics,
  // The LinkedIn-Version in use and its sunset; a warning within 60 days of it.
  configStatus: versionStatus,
});

export const linkedinPlatform: PlatformModule = {
  adapter: linkedinAdapter,
  simulator: () => {
    const sim = createLinkedInSimulator();
    return { ...sim, publishedPosts: () => sim.state.posts.length };
  },
  conformance: { writeRoute: { method: 'POST', path: '/rest/posts' }, settings: { clientId: 'herald-test-client', clientSecret: 'herald-test-secret' } },
  settings: z.object({
    apiVersion: z.string().regex(/^\d{6}$/, 'must be YYYYMM, e.g. 202601').optional()
      .describe("`LinkedIn-Version` header, `YYYYMM`; unset: the previous month's version. Versions retire about 12 months after release: Herald warns at start within 60 days of the sunset, `GET /v1/admin/queues` shows it, and a 426 pauses LinkedIn until the version changes"),
  }),
};
