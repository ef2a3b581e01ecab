import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.ts';

function problems(env: Record<string, string>) {
  try {
    loadConfig(env);
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
    expect(c.platforms.linkedin.extra.apiVersion).toBe('202601');
  });

  it('names each bad variable', () => {
    const p = problems({ PORT: 'eighty', REDIS_URL: 'http://x', LOG_LEVEL: 'loud', PLATFORM_X_URL: 'not a url', ENCRYPTION_KEY: 'short' });
    expect(p.map((x) => x.variable).sort()).toEqual(['ENCRYPTION_KEY', 'LOG_LEVEL', 'PLATFORM_X_URL', 'PORT', 'REDIS_URL']);
  });

  it('requires keys in live mode (private URLs are allowed there, with a warning at start)', () => {
    const p = problems({ HERALD_MODE: 'live', HERALD_ALLOW_PRIVATE_URLS: 'true' });
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
