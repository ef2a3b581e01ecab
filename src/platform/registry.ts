/**
 * What one adapter folder exports from its index.ts: everything the app, the sandbox and
 * the tests need to know about a platform. The list of these objects is adapters/registry.ts
 * (one line per platform); the composition root (src/main/) hands it to the parts.
 */
import type { z } from 'zod';
import type { MediaSource } from './media.ts';
import type { PlatformAdapter, PlatformName } from './port.ts';
import type { PlatformSimulator } from './simulator-kit.ts';

/** How the shared conformance suite (tests/adapters/conformance.ts) drives this adapter. */
export interface ConformanceSettings {
  /** The call that makes content public (a `*` at the end of the path matches any tail). */
  writeRoute: { method: string; path: string };
  /** Text, options and media of a minimal valid post on this platform. */
  sample?: { text?: string; options?: Record<string, unknown>; media?: MediaSource[] };
  /** Platform settings the tests run with (OAuth app credentials the simulator accepts). */
  settings?: { clientId?: string; clientSecret?: string; extra?: Record<string, string> };
}

/**
 * Settings an adapter reads, declared as a zod object of strings. Each key `fooBar`
 * is the environment variable `<PLATFORM>_FOO_BAR`, validated at start-up by src/config
 * and handed to the adapter as `settings.extra.fooBar`. `.describe()` on each field is its
 * line in `herald --help` and in the README's configuration table.
 */
export type AdapterSettingsSchema = z.ZodObject<Record<string, z.ZodType<string | undefined, string | undefined>>>;

/** A simulator as registered: it can also say how many posts are public on it. */
export interface RegisteredSimulator extends PlatformSimulator {
  /** Posts now public on the simulated platform (the conformance suite checks that no run makes two). */
  publishedPosts(): number;
}

export interface PlatformModule {
  adapter: PlatformAdapter;
  /** The in-process fake of the platform's API that the sandbox and the tests run against. */
  simulator: () => RegisteredSimulator;
  conformance: ConformanceSettings;
  settings?: AdapterSettingsSchema;
}

export function platformOf(m: PlatformModule): PlatformName {
  return m.adapter.manifest.platform;
}

/** The adapters of a registry, by platform; a platform listed twice is a programming error. */
export function adapterMap(modules: readonly PlatformModule[]): Map<PlatformName, PlatformAdapter> {
  const map = new Map<PlatformName, PlatformAdapter>();
  for (const m of modules) {
    const p = platformOf(m);
    if (map.has(p)) throw new Error(`platform ${p} is registered twice in adapters/registry.ts`);
    map.set(p, m.adapter);
  }
  return map;
}
