/**
 * Sandbox mode: every platform points at its built-in simulator (started in-process), a
 * demo creator with one connected demo account per adapter exists, and start-up prints
 * what a new user needs to publish a first post and watch it reach `published`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import type { Delivery } from '../domain/delivery.ts';
import type { PlatformName } from '../platform/port.ts';
import { platformOf, type PlatformModule } from '../platform/registry.ts';
import type { PlatformSimulator } from '../platform/simulator-kit.ts';
import { newApiKey } from '../store/crypto.ts';
import type { Store } from '../store/index.ts';
import { newId } from '../store/ids.ts';

interface SandboxFile {
  adminApiKey: string;
  creatorApiKey: string;
  creatorId?: string;
  accountIds?: string[];
}

export interface Sandbox {
  simulators: Map<PlatformName, PlatformSimulator>;
  stop(): Promise<void>;
}

export interface PreparedSandbox extends Sandbox {
  file: SandboxFile;
  path: string;
  /** False when the operator set ADMIN_API_KEY: the banner then does not print it. */
  adminKeyGenerated: boolean;
}

function readFile(path: string): SandboxFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SandboxFile;
  } catch {
    return undefined;
  }
}

/**
 * Before Herald starts: simulators up, config pointed at them, keys settled. A platform
 * without a simulator is refused: its adapter would otherwise call the real platform.
 */
export async function prepareSandbox(config: Config, modules: readonly PlatformModule[]): Promise<PreparedSandbox> {
  const missing = modules.filter((m) => typeof m.simulator !== 'function').map(platformOf);
  if (missing.length) {
    throw new Error(`sandbox mode needs a simulator for every enabled platform; ${missing.join(', ')} has none (adapters/<platform>/index.ts)`);
  }
  const path = join(config.dataDir, 'sandbox.json');
  const file = readFile(path) ?? { adminApiKey: newApiKey(), creatorApiKey: newApiKey() };
  // An ADMIN_API_KEY the operator set is theirs: it is used, never stored or printed.
  const adminKeyGenerated = config.adminApiKey === undefined;
  if (adminKeyGenerated) config.adminApiKey = file.adminApiKey;
  config.allowPrivateUrls = true;
  const simulators = new Map<PlatformName, PlatformSimulator>();
  for (const m of modules) {
    const p = platformOf(m);
    const sim = m.simulator();
    const origin = await sim.server.start();
    simulators.set(p, sim);
    const pc = config.platforms[p];
    pc.baseUrl ??= origin;
    pc.clientId ??= `herald-sandbox-${p}`;
    pc.clientSecret ??= `herald-sandbox-${p}-secret`;
  }
  return {
    simulators, file, path, adminKeyGenerated,
    async stop() {
      await Promise.all([...simulators.values()].map((s) => s.server.stop()));
    },
  };
}

/** After Herald starts: demo creator and demo accounts (simulator state is per run, so accounts are renewed). */
export async function seedSandbox(herald: { store: Store }, sandbox: PreparedSandbox) {
  const { store } = herald;
  const f = sandbox.file;
  let creatorId = f.creatorId && (await store.creators.get(f.creatorId)) ? f.creatorId : undefined;
  if (!creatorId) {
    const { creator } = await store.creators.create('Sandbox demo creator', f.creatorApiKey);
    creatorId = creator.id;
  }
  for (const id of f.accountIds ?? []) {
    const a = await store.accounts.get(id);
    if (a) await store.accounts.remove(a);
  }
  const accounts: { id: string; platform: PlatformName; handle?: string }[] = [];
  for (const [platform, sim] of sandbox.simulators) {
    const demo = sim.createDemoAccount();
    const { account } = await store.accounts.upsert({
      creatorId, platform, externalId: demo.externalId, ...(demo.handle ? { handle: demo.handle } : {}),
      settings: demo.settings ?? {}, credentials: demo.credentials,
    }, () => newId('acc'));
    accounts.push({ id: account.id, platform, ...(account.handle ? { handle: account.handle } : {}) });
  }
  sandbox.file = { ...f, creatorId, accountIds: accounts.map((a) => a.id) };
  writeFileSync(sandbox.path, JSON.stringify(sandbox.file, null, 2), { mode: 0o600 });
  return { creatorId, accounts, creatorApiKey: f.creatorApiKey, ...(sandbox.adminKeyGenerated ? { adminApiKey: f.adminApiKey } : {}) };
}

/** Handles shown with one @ (YouTube's customUrl already starts with one: "@demochannel1"). */
const handleOf = (handle: string) => (handle.startsWith('@') ? handle : `@${handle}`);

export function sandboxBanner(url: string, seed: Awaited<ReturnType<typeof seedSandbox>>): string {
  const x = seed.accounts.find((a) => a.platform === 'x');
  const li = seed.accounts.find((a) => a.platform === 'linkedin');
  const targets = [x, li].filter(Boolean).map((a) => `{"accountId":"${a!.id}"}`).join(',');
  const lines = [
    '',
    '  Herald is running in SANDBOX mode: every platform is a local simulator; nothing leaves this machine.',
    '',
    `  API          ${url}`,
    `  API docs     ${url}/docs`,
    `  Dashboard    ${url}/admin  (log in with the admin key below)`,
    `  Metrics      ${url}/metrics`,
    `  Creator key  ${seed.creatorApiKey}`,
    `  Admin key    ${seed.adminApiKey ?? 'the ADMIN_API_KEY you set'}`,
    '  Accounts     ' + seed.accounts.map((a) => `${a.platform} ${a.id}${a.handle ? ` (${handleOf(a.handle)})` : ''}`).join('\n               '),
    '',
    '  Schedule a post 20 seconds from now (paste into a shell):',
    '',
    `  curl -s -X POST ${url}/v1/posts \\`,
    `    -H 'Authorization: Bearer ${seed.creatorApiKey}' -H 'Content-Type: application/json' \\`,
    `    -d "{\\"text\\":\\"Hello from Herald\\",\\"scheduledAt\\":\\"$(date -u -d '+20 seconds' +%Y-%m-%dT%H:%M:%SZ)\\",\\"targets\\":[${targets.replaceAll('"', '\\"')}]}"`,
    '',
    '  Then watch this log, or read the post back:',
    `  curl -s ${url}/v1/posts -H 'Authorization: Bearer ${seed.creatorApiKey}'`,
    '',
  ];
  return lines.join('\n');
}

/** One readable line per delivery change, so the sandbox shows posts moving to published. */
export function narrate(log: Logger) {
  const last = new Map<string, string>();
  return (d: Delivery) => {
    if (last.get(d.id) === d.status) return;
    last.set(d.id, d.status);
    if (last.size > 10_000) last.clear();
    const tail = d.status === 'published' ? ` → ${d.url}` : d.error ? ` (${d.error.code}: ${d.error.message})` : d.nextAttemptAt ? ` (next attempt ${d.nextAttemptAt})` : '';
    log.info({ deliveryId: d.id, postId: d.postId, platform: d.platform, status: d.status }, `delivery ${d.id} [${d.platform}] ${d.status}${tail}`);
  };
}
