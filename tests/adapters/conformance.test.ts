/**
 * The registry is the one list of platforms: every adapter in it runs the conformance
 * suite, and a platform folder that is not listed, or an entry missing a part, fails here.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/config/env.ts';
import { adapterMap, platformOf, type PlatformModule } from '../../src/platform/registry.ts';
import { prepareSandbox } from '../../src/sandbox/sandbox.ts';
import { describeConformance } from './conformance.ts';

describe('adapters/registry.ts', () => {
  it('lists every platform folder under adapters/ exactly once', () => {
    const folders = readdirSync('adapters', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(REGISTRY.map(platformOf).sort()).toEqual(folders);
    expect(adapterMap(REGISTRY).size).toBe(REGISTRY.length);
  });

  it.each(REGISTRY.map((m) => [platformOf(m), m] as const))('%s has every part: adapter, simulator, conformance settings, README', (platform, m) => {
    expect(typeof m.adapter.publish).toBe('function');
    expect(typeof m.simulator).toBe('function');
    expect(m.conformance.writeRoute.path).toMatch(/^\//);
    const folder = join('adapters', platform);
    expect(existsSync(join(folder, 'index.ts')), 'index.ts').toBe(true);
    expect(existsSync(join(folder, 'README.md')), 'README.md').toBe(true);
    expect(existsSync(join('tests', 'adapters', `${platform}.test.ts`)), `tests/adapters/${platform}.test.ts`).toBe(true);
  });

  it('sandbox mode refuses to start a platform without a simulator (it would call the real platform)', async () => {
    const { simulator: _none, ...withoutSimulator } = REGISTRY[0]!;
    await expect(prepareSandbox(loadConfig({}, REGISTRY), [withoutSimulator as PlatformModule])).rejects.toThrow(/needs a simulator.*has none/);
  });
});

for (const m of REGISTRY) describeConformance(m);
