/** The YouTube adapter: videos.insert through one resumable upload session. */
import { defineAdapter } from '../../src/platform/define.ts';
import { youtubeErrors } from './codes.ts';
import { youtubeProgress } from './client.ts';
import { youtubeManifest } from './manifest.ts';
import { readYouTubeMetrics } from './metrics.ts';
import { refreshYouTube, youtubeOAuth } from './oauth.ts';
import { lookupYouTube, publishYouTube } from './publish.ts';
import { validateYouTube } from './validate.ts';

export { youtubeManifest };

export const youtubeAdapter = defineAdapter({
  codes: youtubeErrors.codes,
  manifest: youtubeManifest,
  progress: youtubeProgress,
  validate: (input) => validateYouTube(input),
  publish: publishYouTube,
  lookup: lookupYouTube,
  refresh: refreshYouTube,
  oauth: youtubeOAuth,
  readMetrics: readYouTubeMetrics,
});
