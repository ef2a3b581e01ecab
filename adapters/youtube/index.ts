/** The YouTube adapter: videos.insert through one resumable upload session. */
import type { PlatformAdapter } from '../../src/platform/port.ts';
import { youtubeManifest } from './manifest.ts';
import { refreshYouTube, youtubeOAuth } from './oauth.ts';
import { lookupYouTube, publishYouTube } from './publish.ts';
import { validateYouTube } from './validate.ts';

export { youtubeManifest };

export const youtubeAdapter: PlatformAdapter = {
  manifest: youtubeManifest,
  validate: (input) => validateYouTube(input),
  publish: publishYouTube,
  lookup: lookupYouTube,
  refresh: refreshYouTube,
  oauth: youtubeOAuth,
};
