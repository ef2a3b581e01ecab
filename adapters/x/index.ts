/** The X adapter: posts and reply threads through POST /2/tweets. Details in README.md. */
import { defineAdapter } from '../../src/platform/define.ts';
import { xErrors } from './codes.ts';
import { xManifest } from './manifest.ts';
import { readXMetrics } from './metrics.ts';
import { refreshX, xOAuth } from './oauth.ts';
import { lookupX, publishX, validateX, xProgress } from './publish.ts';

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
