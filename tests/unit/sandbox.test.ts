/**
 * The sandbox start-up banner (issue 7 item 21): it prints only keys Herald generated, and
 * each handle with one @.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { REGISTRY } from '../../adapters/registry.ts';
import { startHerald } from '../../src/main/herald.ts';
import { adapterMap } from '../../src/platform/registry.ts';
import { prepareSandbox, sandboxBanner, seedSandbox } from '../../src/sandbox/sandbox.ts';
import { silentLog } from '../helpers/adapter-harness.ts';

async function bannerFor(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-sandbox-'));
  const config = loadConfig({ HERALD_MODE: 'sandbox', PORT: '0', REDIS_URL: inject('redisUrl'), REDIS_PREFIX: `t${Math.random().toString(36).slice(2, 10)}`, DATA_DIR: dataDir, ...env }, REGISTRY);
  const adapters = adapterMap(REGISTRY);
  const sandbox = await prepareSandbox(config, REGISTRY);
  const herald = await startHerald({ config, log: silentLog, adapters, roles: { api: true, worker: false } });
  try {
    const seed = await seedSandbox(herald, sandbox);
    return { banner: sandboxBanner(herald.url!, seed), file: readFileSync(join(dataDir, 'sandbox.json'), 'utf8'), adminKey: config.adminApiKey!, seed };
  } finally {
    await herald.close();
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('sandbox banner', () => {
  it('never prints (or stores) an ADMIN_API_KEY the operator set', async () => {
    const operatorKey = 'operator-chosen-admin-key-0123456789';
    const { banner, file, adminKey, seed } = await bannerFor({ ADMIN_API_KEY: operatorKey });
    expect(adminKey).toBe(operatorKey);
    expect(banner).not.toContain(operatorKey);
    expect(file).not.toContain(operatorKey);
    expect(banner).toContain(seed.creatorApiKey);
  });

  it('prints the admin key Herald generated', async () => {
    const { banner, adminKey } = await bannerFor({});
    expect(banner).toContain(`Admin key    ${adminKey}`);
  });

  it('shows each handle with a single @ (YouTube customUrl starts with one)', async () => {
    const { banner } = await bannerFor({});
    expect(banner).toMatch(/youtube acc_\w+ \(@demochannel\d+\)/);
    expect(banner).toMatch(/x acc_\w+ \(@\w+\)/);
    expect(banner).not.toContain('@@');
  });
});
