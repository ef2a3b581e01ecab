import type { PlatformAdapter } from '../../src/platform/port.ts';
import { xManifest } from './manifest.ts';
import { refreshX, xOAuth } from './oauth.ts';
import { lookupX, publishX, validateX } from './publish.ts';

export { xManifest };

export const xAdapter: PlatformAdapter = {
  manifest: xManifest,
  validate: validateX,
  publish: publishX,
  lookup: lookupX,
  refresh: refreshX,
  oauth: xOAuth,
};
