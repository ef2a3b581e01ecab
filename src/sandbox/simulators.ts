/** The built-in platform simulators sandbox mode runs in-process, one per shipped adapter. */
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { createYouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import type { PlatformName } from '../platform/port.ts';
import type { PlatformSimulator } from '../platform/simulator-kit.ts';

export const SIMULATORS: Partial<Record<PlatformName, () => PlatformSimulator>> = {
  x: () => createXSimulator(),
  linkedin: () => createLinkedInSimulator(),
  youtube: () => createYouTubeSimulator(),
};
