/**
 * The environment variables each registered platform brings: its base-URL override, its
 * OAuth app credentials when it has OAuth or refresh, and the settings its adapter declares
 * (`settings` in adapters/<platform>/index.ts). They are validated with the rest of the
 * environment at start-up and listed by `herald --help` and the README's table.
 */
import { z } from 'zod';
import type { PlatformAdapter, PlatformName } from '../platform/port.ts';
import { platformOf, type PlatformModule } from '../platform/registry.ts';

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Where a platform variable lands in the platform's config. */
export type PlatformSlot = { kind: 'baseUrl' } | { kind: 'clientId' } | { kind: 'clientSecret' } | { kind: 'extra'; key: string };

export interface PlatformVariable {
  name: string;
  platform: PlatformName;
  slot: PlatformSlot;
  schema: z.ZodType;
  help: string;
  /** Required in live mode (OAuth app credentials). */
  requiredLive: boolean;
}

const envPrefix = (p: PlatformName) => p.toUpperCase();
/** `apiVersion` → `API_VERSION`. */
const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * A platform with OAuth or token refresh calls its token endpoint with Herald's app
 * credentials. The secret is optional only for a flow that may run as a public client.
 */
function appCredentials(adapter: PlatformAdapter): { id: boolean; secret: boolean } {
  const { oauth, refresh } = adapter.manifest.capabilities;
  if (!oauth && refresh === 'none') return { id: false, secret: false };
  const auth = adapter.oauth?.clientAuth;
  return { id: true, secret: auth !== 'public' && auth !== 'basic-or-public' };
}

export function platformVariables(modules: readonly PlatformModule[]): PlatformVariable[] {
  const out: PlatformVariable[] = [];
  for (const m of modules) {
    const platform = platformOf(m);
    const n = envPrefix(platform);
    const name = m.adapter.manifest.displayName;
    out.push({
      name: `PLATFORM_${n}_URL`, platform, slot: { kind: 'baseUrl' }, schema: httpUrl.optional(), requiredLive: false,
      help: `replaces scheme + host of every call the ${name} adapter makes (simulators, proxies, contract tests)`,
    });
    const app = appCredentials(m.adapter);
    if (app.id) {
      out.push({ name: `${n}_CLIENT_ID`, platform, slot: { kind: 'clientId' }, schema: z.string().min(1).optional(), requiredLive: true, help: `${name} OAuth app client id; required in live mode` });
      out.push({
        name: `${n}_CLIENT_SECRET`, platform, slot: { kind: 'clientSecret' }, schema: z.string().min(1).optional(), requiredLive: app.secret,
        help: app.secret ? `${name} OAuth app client secret; required in live mode` : `${name} OAuth app client secret (unset: Herald is a public client)`,
      });
    }
    for (const [key, schema] of Object.entries(m.settings?.shape ?? {})) {
      out.push({ name: `${n}_${snake(key)}`, platform, slot: { kind: 'extra', key }, schema, requiredLive: false, help: schema.description ?? `${name} setting ${key}` });
    }
  }
  return out;
}
