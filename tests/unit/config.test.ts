import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../adapters/registry.ts';
import { xPlatform } from '../../adapters/x/index.ts';
import { ConfigError, configVariables, loadConfig as loadFor } from '../../src/config/env.ts';
import type { PlatformModule } from '../../src/platform/registry.ts';
import { withConfigTable } from '../../scripts/config-table.ts';

const loadConfig = (env: Record<string, string | undefined>, modules: readonly PlatformModule[] = REGISTRY) => loadFor(env, modules);
const LIVE = { HERALD_MODE: 'live', ADMIN_API_KEY: 'k'.repeat(24), ENCRYPTION_KEY: 'ab'.repeat(32) };

function problems(env: Record<string, string>, modules: readonly PlatformModule[] = REGISTRY) {
  try {
    loadConfig(env, modules);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config schema', () => {
  it('defaults to sandbox mode with documented defaults', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('sandbox');
    expect(c.port).toBe(3000);
    expect(c.redisUrl).toBeUndefined();
    expect(c.platforms.linkedin.extra.apiVersion).toBeUndefined();
  });

  it('names each bad variable', () => {
    const p = problems({ PORT: 'eighty', REDIS_URL: 'http://x', LOG_LEVEL: 'loud', PLATFORM_X_URL: 'not a url', ENCRYPTION_KEY: 'short' });
    expect(p.map((x) => x.variable).sort()).toEqual(['ENCRYPTION_KEY', 'LOG_LEVEL', 'PLATFORM_X_URL', 'PORT', 'REDIS_URL']);
  });

  it('requires keys in live mode (private URLs are allowed there, with a warning at start)', () => {
    const p = problems({ HERALD_MODE: 'live', HERALD_ALLOW_PRIVATE_URLS: 'true' }, []);
    expect(p.map((x) => x.variable).sort()).toEqual(['ADMIN_API_KEY', 'ENCRYPTION_KEY']);
  });

  it('accepts a hex or base64 32-byte encryption key and per-platform overrides', () => {
    const hex = loadConfig({ ENCRYPTION_KEY: 'ab'.repeat(32), PLATFORM_X_URL: 'http://127.0.0.1:9999', X_CLIENT_ID: 'cid' });
    expect(hex.encryptionKey?.length).toBe(32);
    expect(hex.platforms.x.baseUrl).toBe('http://127.0.0.1:9999');
    expect(hex.platforms.x.clientId).toBe('cid');
    const b64 = loadConfig({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(b64.encryptionKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('validates the settings an adapter declares, naming the variable', () => {
    expect(problems({ LINKEDIN_API_VERSION: '2026-01' })).toEqual([{ variable: 'LINKEDIN_API_VERSION', message: 'must be YYYYMM, e.g. 202601' }]);
    expect(loadConfig({ LINKEDIN_API_VERSION: '202605' }).platforms.linkedin.extra.apiVersion).toBe('202605');
  });

  it('collects a new adapter\'s declared settings without touching src/config', () => {
    const tiktokLike: PlatformModule = {
      ...xPlatform,
      adapter: { ...xPlatform.adapter, manifest: { ...xPlatform.adapter.manifest, platform: 'tiktok', displayName: 'TikTok' } },
      settings: z.object({ verifiedDomains: z.string().regex(/^[a-z0-9.-]+(,[a-z0-9.-]+)*$/, 'comma-separated domains').describe('domains verified for PULL_FROM_URL') }),
    };
    expect(problems({ TIKTOK_VERIFIED_DOMAINS: 'not a domain!' }, [tiktokLike]).map((p) => p.variable)).toEqual(['TIKTOK_VERIFIED_DOMAINS']);
    expect(loadConfig({ TIKTOK_VERIFIED_DOMAINS: 'cdn.example.com' }, [tiktokLike]).platforms.tiktok.extra.verifiedDomains).toBe('cdn.example.com');
    expect(configVariables([tiktokLike]).map((v) => v.name)).toContain('TIKTOK_VERIFIED_DOMAINS');
  });

  it('in live mode requires the OAuth app credentials of every adapter with OAuth or refresh', () => {
    expect(problems(LIVE).map((p) => p.variable).sort()).toEqual(['LINKEDIN_CLIENT_ID', 'LINKEDIN_CLIENT_SECRET', 'X_CLIENT_ID', 'YOUTUBE_CLIENT_ID', 'YOUTUBE_CLIENT_SECRET']);
    const complete = { ...LIVE, X_CLIENT_ID: 'x', LINKEDIN_CLIENT_ID: 'l', LINKEDIN_CLIENT_SECRET: 'ls', YOUTUBE_CLIENT_ID: 'y', YOUTUBE_CLIENT_SECRET: 'ys' };
    expect(problems(complete)).toEqual([]);
    expect(problems({ HERALD_MODE: 'sandbox' })).toEqual([]);
  });

  it('every variable says what it is for (its line in --help and the README)', () => {
    for (const v of configVariables(REGISTRY)) expect(v.help, v.name).toMatch(/\w{3}/);
  });

  it('the README configuration table is the one the schemas generate (npx tsx scripts/config-table.ts)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withConfigTable(readme));
  });

  it('herald --help lists every variable, the adapters\' declared settings included', { timeout: 90_000 }, async () => {
    const { spawnSync } = await import('node:child_process');
    // Generous: starting through tsx on a loaded 2-core machine has taken over 20 s.
    const r = spawnSync(process.execPath, ['bin/herald.mjs', '--help'], { encoding: 'utf8', timeout: 80_000 });
    expect(r.status).toBe(0);
    for (const v of configVariables(REGISTRY)) expect(r.stdout).toContain(v.name);
    expect(r.stdout).toMatch(/LINKEDIN_API_VERSION\s+LinkedIn-Version header/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' }).port).toBe(3000);
  });

  // Starting the CLI through tsx takes well over 20 s on a busy machine: the bound is generous.
  it('the CLI exits non-zero naming the variable', { timeout: 150_000 }, async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['bin/herald.mjs', 'api'], { env: { ...process.env, PORT: 'nope' }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT');
  });
});
