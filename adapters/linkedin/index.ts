/** LinkedIn (Posts API): the adapter and its manifest. Details in README.md. */
import { defineAdapter } from '../../src/platform/define.ts';
import { linkedinErrors } from './codes.ts';
import { linkedinManifest } from './manifest.ts';
import { readLinkedInMetrics } from './metrics.ts';
import { linkedinOAuth, refreshLinkedIn } from './oauth.ts';
import { linkedinProgress, lookupLinkedIn, publishLinkedIn, validateLinkedIn } from './publish.ts';

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
