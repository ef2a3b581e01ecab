/**
 * The platforms this Herald ships: one line per platform. The app, the sandbox and the
 * conformance suite all read this list; adding a platform is its folder plus one line here
 * (checklist in adapters/README.md).
 */
import type { PlatformModule } from '../src/platform/registry.ts';
import { linkedinPlatform } from './linkedin/index.ts';
import { xPlatform } from './x/index.ts';
import { youtubePlatform } from './youtube/index.ts';

export const REGISTRY: readonly PlatformModule[] = [
  xPlatform,
  linkedinPlatform,
  youtubePlatform,
];
