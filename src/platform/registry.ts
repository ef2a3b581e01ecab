/** The platform adapters this Herald ships. A platform is enabled when it is listed here. */
import { linkedinAdapter } from '../../adapters/linkedin/index.ts';
import { xAdapter } from '../../adapters/x/index.ts';
import { youtubeAdapter } from '../../adapters/youtube/index.ts';
import type { PlatformAdapter, PlatformName } from './port.ts';

export function shippedAdapters(): Map<PlatformName, PlatformAdapter> {
  return new Map<PlatformName, PlatformAdapter>([
    ['x', xAdapter],
    ['linkedin', linkedinAdapter],
    ['youtube', youtubeAdapter],
  ]);
}
