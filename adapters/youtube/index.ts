/** YouTube: videos.insert through one resumable upload session; the adapter, its simulator and its conformance settings. */
import { defineAdapter } from '../../src/platform/define.ts';
import { generatedSource } from '../../src/platform/media.ts';
import type { PlatformModule } from '../../src/platform/registry.ts';
import { youtubeProgress } from './client.ts';
import { youtubeErrors } from './codes.ts';
import { youtubeManifest } from './manifest.ts';
import { readYouTubeMetrics } from './metrics.ts';
import { refreshYouTube, youtubeOAuth } from './oauth.ts';
import { lookupYouTube, publishYouTube } from './publish.ts';
import { createYouTubeSimulator } from './simulator.ts';
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

export const youtubePlatform: PlatformModule = {
  adapter: youtubeAdapter,
  simulator: () => {
    const sim = createYouTubeSimulator();
    return { ...sim, publishedPosts: () => sim.state.videos.size };
  },
  conformance: {
    writeRoute: { method: 'PUT', path: '/upload/youtube/v3/videos*' },
    sample: { options: { title: 'Conformance' }, media: [generatedSource(300_000, 'video/mp4')] },
    settings: { clientId: 'sim-client', clientSecret: 'sim-secret' },
  },
};
