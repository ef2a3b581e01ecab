/**
 * Issue 7 item 15: uploads had no quota, a crash left temporary files behind for good, and
 * a full disk (shared with the Redis AOF in the default layout) stopped every tenant.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MediaStore } from '../../src/media/store.ts';
import { keys } from '../../src/store/keys.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

const heralds: TestHerald[] = [];
afterAll(async () => {
  for (const h of heralds) await h.stop();
});

const upload = (h: TestHerald, key: string, bytes: number, fill = 1) =>
  h.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(key), 'content-type': 'image/png' }, payload: Buffer.alloc(bytes, fill) });

describe('media storage limits', () => {
  it('a creator over MEDIA_QUOTA_BYTES gets 507 media_quota_exceeded; other creators are not affected', async () => {
    const h = await startTestHerald({ env: { MEDIA_QUOTA_BYTES: '300000', MEDIA_MIN_FREE_BYTES: '0' } });
    heralds.push(h);
    const alice = await h.creator('alice');
    const bob = await h.creator('bob');
    expect((await upload(h, alice.key, 200_000, 1)).statusCode).toBe(201);
    const over = await upload(h, alice.key, 200_000, 2);
    expect(over.statusCode).toBe(507);
    expect(over.json().error).toMatchObject({ code: 'media_quota_exceeded' });
    expect(over.json().error.message).toContain('MEDIA_QUOTA_BYTES');
    expect(readdirSync(join(h.dataDir, 'media', 'tmp'))).toEqual([]);
    expect((await upload(h, bob.key, 200_000, 3)).statusCode).toBe(201);
  });

  it('uploads are refused with 507 insufficient_storage when free disk is below MEDIA_MIN_FREE_BYTES', async () => {
    const h = await startTestHerald({ env: { MEDIA_MIN_FREE_BYTES: String(Number.MAX_SAFE_INTEGER) } });
    heralds.push(h);
    const carol = await h.creator('carol');
    const res = await upload(h, carol.key, 10_000);
    expect(res.statusCode).toBe(507);
    expect(res.json().error).toMatchObject({ code: 'insufficient_storage' });
    expect(res.json().error.message).toContain('MEDIA_MIN_FREE_BYTES');
  });

  it('on start, temporary files of dead processes and day-old ones are removed; live ones stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-media-'));
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const files = {
      deadUpload: `up-${host}-${dead}-aaaaaaaaaaaa`,
      deadSpool: `spool-${host}-${dead}-bbbbbbbbbbbb`,
      live: `up-${host}-${process.pid}-cccccccccccc`,
      otherHostFresh: 'spool-elsewhere-12345-dddddddddddd',
      otherHostOld: 'spool-elsewhere-12345-eeeeeeeeeeee',
      legacyOld: 'up-ffffffffffff',
    };
    for (const f of Object.values(files)) writeFileSync(join(tmp, f), 'x');
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    utimesSync(join(tmp, files.otherHostOld), old, old);
    utimesSync(join(tmp, files.legacyOld), old, old);
    const redis = new Redis(inject('redisUrl'));
    try {
      new MediaStore(redis, keys('tmpclean'), dir, Buffer.alloc(32), () => 'http://127.0.0.1');
    } finally {
      redis.disconnect();
    }
    expect(readdirSync(tmp).sort()).toEqual([files.live, files.otherHostFresh].sort());
    expect(existsSync(join(tmp, files.deadUpload))).toBe(false);
  });
});
