/**
 * Uploaded media: content-addressed files under DATA_DIR/media (sha256), a Redis record per
 * upload (owned by one creator), and unguessable signed URLs for platforms that pull media.
 */
import { createHash, createHmac } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Redis } from 'ioredis';
import { mediaKindOf } from '../platform/media.ts';
import { safeEqual } from '../store/crypto.ts';
import { newId } from '../store/ids.ts';
import type { Keys } from '../store/keys.ts';
import { MediaFetchError } from './fetch.ts';
import { removeAbandonedTmpFiles, tmpFileName } from './tmp-files.ts';

export interface StoredMedia {
  id: string;
  creatorId: string;
  sha256: string;
  mimeType: string;
  bytes: number;
  createdAt: string;
}

/** An upload refused for lack of room: the disk (insufficient_storage) or the creator's quota. */
export class MediaStorageError extends Error {
  override readonly name = 'MediaStorageError';
  constructor(readonly code: 'insufficient_storage' | 'media_quota_exceeded', message: string) {
    super(message);
  }
}

export interface MediaLimits {
  /** Bytes of uploads one creator may hold (MEDIA_QUOTA_BYTES). */
  quotaBytes: number;
  /** Refuse uploads that would leave less free space than this (MEDIA_MIN_FREE_BYTES). */
  minFreeBytes: number;
}

// KEYS[1] the creator's byte counter. ARGV[1] bytes to add, ARGV[2] quota. 1 = added, 0 = over quota.
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
return 1
`;

/** HKDF purpose of the media-URL signing key (derived from ENCRYPTION_KEY, never the key itself). */
export const MEDIA_URL_KEY_PURPOSE = 'media-url signing';

export class MediaStore {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
    private readonly dir: string,
    private readonly signingKey: Buffer,
    private readonly publicUrl: () => string,
    private readonly limits: MediaLimits = { quotaBytes: Number.MAX_SAFE_INTEGER, minFreeBytes: 0 },
  ) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    // Uploads and spooled downloads left behind by a crash.
    removeAbandonedTmpFiles(join(dir, 'tmp'));
  }

  /** Free bytes on the file system that holds the media directory. */
  private freeBytes(): number {
    const fs = statfsSync(this.dir);
    return fs.bavail * fs.bsize;
  }

  /** How many more bytes this upload may write before it is refused (quota or disk). */
  private async room(creatorId: string): Promise<{ bytes: number; refuse: () => MediaStorageError }> {
    const used = Number((await this.redis.get(this.k.creatorMediaBytes(creatorId))) ?? 0);
    const quotaLeft = this.limits.quotaBytes - used;
    const diskLeft = this.freeBytes() - this.limits.minFreeBytes;
    const quota = () => new MediaStorageError('media_quota_exceeded', `this upload would take your media past your quota of ${this.limits.quotaBytes} bytes (${used} used; MEDIA_QUOTA_BYTES)`);
    const disk = () => new MediaStorageError('insufficient_storage', `the server is low on disk space for media (uploads are refused below MEDIA_MIN_FREE_BYTES = ${this.limits.minFreeBytes} free); try again later`);
    return quotaLeft <= diskLeft ? { bytes: quotaLeft, refuse: quota } : { bytes: diskLeft, refuse: disk };
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Stream an upload to disk, hashing as it goes; identical bytes are stored once. */
  async save(creatorId: string, body: Readable, mimeType: string, maxBytes: number): Promise<StoredMedia> {
    if (!mediaKindOf(mimeType)) throw new MediaFetchError('media_type_not_supported', `${mimeType} is not an image, video or document type`, false);
    const room = await this.room(creatorId);
    if (room.bytes <= 0) {
      body.resume(); // drain, so the client gets the answer rather than a reset
      throw room.refuse();
    }
    const tmp = join(this.dir, 'tmp', tmpFileName('up'));
    const hash = createHash('sha256');
    let bytes = 0;
    body.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
      if (bytes > maxBytes) body.destroy(new MediaFetchError('media_too_large', `upload is larger than ${maxBytes} bytes`, false));
      else if (bytes > room.bytes) body.destroy(room.refuse());
    });
    try {
      await pipeline(body, createWriteStream(tmp));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    if (bytes > maxBytes) {
      rmSync(tmp, { force: true });
      throw new MediaFetchError('media_too_large', `upload is larger than ${maxBytes} bytes`, false);
    }
    if (bytes === 0) {
      rmSync(tmp, { force: true });
      throw new MediaFetchError('media_unavailable', 'the upload is empty', false);
    }
    // Concurrent uploads of one creator: the counter is the arbiter.
    if ((await this.redis.eval(RESERVE, 1, this.k.creatorMediaBytes(creatorId), String(bytes), String(this.limits.quotaBytes))) !== 1) {
      rmSync(tmp, { force: true });
      throw new MediaStorageError('media_quota_exceeded', `this upload of ${bytes} bytes would take your media past your quota of ${this.limits.quotaBytes} bytes (MEDIA_QUOTA_BYTES)`);
    }
    const sha256 = hash.digest('hex');
    const final = this.pathOf(sha256);
    mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    if (existsSync(final)) rmSync(tmp, { force: true });
    else renameSync(tmp, final);
    const rec: StoredMedia = { id: newId('med'), creatorId, sha256, mimeType, bytes, createdAt: new Date().toISOString() };
    const m = this.redis.multi();
    m.hset(this.k.media(rec.id), { ...rec, bytes: String(bytes) });
    m.zadd(this.k.creatorMedia(creatorId), Date.parse(rec.createdAt), rec.id);
    await m.exec();
    return rec;
  }

  async get(id: string): Promise<StoredMedia | undefined> {
    const h = await this.redis.hgetall(this.k.media(id));
    if (!h.id) return undefined;
    return { id: h.id, creatorId: h.creatorId!, sha256: h.sha256!, mimeType: h.mimeType!, bytes: Number(h.bytes), createdAt: h.createdAt! };
  }

  /** Media of one creator, by id (validation of posts). */
  async getForCreator(creatorId: string, ids: string[]): Promise<Map<string, StoredMedia>> {
    const out = new Map<string, StoredMedia>();
    for (const id of new Set(ids)) {
      const m = await this.get(id);
      if (m && m.creatorId === creatorId) out.set(id, m);
    }
    return out;
  }

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.signingKey).update(`media:${id}:${exp}`).digest('base64url');
  }

  /** An unguessable URL valid for `ttlMs` (default 7 days) that serves the bytes without auth. */
  signedUrl(id: string, ttlMs = 7 * 24 * 3600_000): string {
    const exp = Math.floor((Date.now() + ttlMs) / 1000);
    return `${this.publicUrl()}/media/${id}?exp=${exp}&sig=${this.sign(id, exp)}`;
  }

  verify(id: string, exp: string, sig: string): boolean {
    const e = Number(exp);
    if (!Number.isInteger(e) || e * 1000 < Date.now()) return false;
    return safeEqual(this.sign(id, e), sig);
  }
}
