/** X (API v2): the adapter, its simulator and its conformance settings. Details in README.md. */
import { defineAdapter } from '../../src/platform/define.ts';
import type { PlatformModule } from '../../src/platform/registry.ts';
import { xErrors } from './codes.ts';
import { xManifest } from './manifest.ts';
import { readXMetrics } from './metrics.ts';
import { refreshX, xOAuth } from './oauth.ts';
import { lookupX, publishX, validateX, xProgress } from './publish.ts';
import { createXSimulator } from './simulator.ts';

export { xManifest };

export const xAdapter = defineAdapter({
  codes: xErrors.codes,
  manifest: xManifest,
  progress: xProgress,
  validate: validateX,
  publish: publishX,
  lookup: lookupX,
  refresh: refreshX,
  oauth: xOAuth,
  readMetrics: readXMetrics,
});

export const xPlatform: PlatformModule = {
  adapter: xAdapter,
  simulator: () => {
    const sim = createXSimulator();
    return { ...sim, publishedPosts: () => sim.state.tweets.length };
  },
  conformance: { writeRoute: { method: 'POST', path: '/2/tweets' }, settings: { clientId: 'herald-test-client' } },
};
