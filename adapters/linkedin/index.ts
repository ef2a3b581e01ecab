/** LinkedIn (Posts API): the adapter, its simulator, conformance settings and declared settings. Details in README.md. */
import { z } from 'zod';
import { defineAdapter } from '../../src/platform/define.ts';
import type { PlatformModule } from '../../src/platform/registry.ts';
import { DEFAULT_API_VERSION } from './client.ts';
import { linkedinErrors } from './codes.ts';
import { linkedinManifest } from './manifest.ts';
import { readLinkedInMetrics } from './metrics.ts';
import { linkedinOAuth, refreshLinkedIn } from './oauth.ts';
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
});

export const linkedinPlatform: PlatformModule = {
  adapter: linkedinAdapter,
  simulator: () => {
    const sim = createLinkedInSimulator();
    return { ...sim, publishedPosts: () => sim.state.posts.length };
  },
  conformance: { writeRoute: { method: 'POST', path: '/rest/posts' }, settings: { clientId: 'herald-test-client', clientSecret: 'herald-test-secret' } },
  settings: z.object({
    apiVersion: z.string().regex(/^\d{6}$/, 'must be YYYYMM, e.g. 202601').default(DEFAULT_API_VERSION)
      .describe('`LinkedIn-Version` header, `YYYYMM`; versions retire about 12 months after release (426 NONEXISTENT_VERSION)'),
  }),
};
