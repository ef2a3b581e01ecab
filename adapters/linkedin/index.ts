/** LinkedIn (Posts API): the adapter and its manifest. Details in README.md. */
import type { PlatformAdapter } from '../../src/platform/port.ts';
import { linkedinManifest } from './manifest.ts';
import { linkedinOAuth, refreshLinkedIn } from './oauth.ts';
import { lookupLinkedIn, publishLinkedIn, validateLinkedIn } from './publish.ts';

export { linkedinManifest };

export const linkedinAdapter: PlatformAdapter = {
  manifest: linkedinManifest,
  validate: validateLinkedIn,
  publish: publishLinkedIn,
  lookup: lookupLinkedIn,
  refresh: refreshLinkedIn,
  oauth: linkedinOAuth,
};
