import type { Redis } from 'ioredis';
import { sha256 } from './crypto.ts';
import type { Keys } from './keys.ts';

/** Keys are remembered for 24 hours from first use. */
export const IDEMPOTENCY_TTL_S = 24 * 3600;

export type IdempotencyState =
  | { state: 'new' }
  | { state: 'replay'; postId: string }
  | { state: 'mismatch' }
  /** Another request with this key is running, or died after choosing `postId`. */
  | { state: 'in_progress'; postId: string; abandoned: boolean };

/** Deletes the key only while it is still pending under the caller's token. */
const ABANDON = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.s ~= 'pending' or rec.t ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** A pending key older than this was left by a request that died (requests time out at 60 s). */
const ABANDONED_AFTER_MS = 90_000;

interface KeyRecord {
  f: string;
  s: 'pending' | 'done';
  postId: string;
  at: number;
  /** Which request holds a pending key (a takeover issues a new one). */
  t?: string;
}

export class IdempotencyStore {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  private key(creatorId: string, key: string) {
    return this.k.idempotency(creatorId, sha256(key));
  }

  /** Claims the key for a new post id (chosen before anything is stored) under the request's `token`. */
  async begin(creatorId: string, key: string, fingerprint: string, postId: string, token: string): Promise<IdempotencyState> {
    const k = this.key(creatorId, key);
    const rec: KeyRecord = { f: fingerprint, s: 'pending', postId, at: Date.now(), t: token };
    const ok = await this.redis.set(k, JSON.stringify(rec), 'EX', IDEMPOTENCY_TTL_S, 'NX');
    if (ok) return { state: 'new' };
    const raw = await this.redis.get(k);
    if (!raw) return this.begin(creatorId, key, fingerprint, postId, token);
    const cur = JSON.parse(raw) as KeyRecord;
    if (cur.f !== fingerprint) return { state: 'mismatch' };
    if (cur.s === 'done') return { state: 'replay', postId: cur.postId };
    return { state: 'in_progress', postId: cur.postId, abandoned: Date.now() - cur.at > ABANDONED_AFTER_MS };
  }

  /**
   * Take over an abandoned key (same post id), so a retry can finish what a dead request
   * began. The stalled request may still wake up: the post id is created only once
   * (PostStore.create), and its abandon() no longer matches the token.
   */
  async takeOver(creatorId: string, key: string, fingerprint: string, postId: string, token: string): Promise<void> {
    const rec: KeyRecord = { f: fingerprint, s: 'pending', postId, at: Date.now(), t: token };
    await this.redis.set(this.key(creatorId, key), JSON.stringify(rec), 'KEEPTTL');
  }

  async complete(creatorId: string, key: string, fingerprint: string, postId: string): Promise<void> {
    const rec: KeyRecord = { f: fingerprint, s: 'done', postId, at: Date.now() };
    await this.redis.set(this.key(creatorId, key), JSON.stringify(rec), 'KEEPTTL');
  }

  /**
   * The request failed before anything could be stored: forget the key so a corrected retry
   * can use it. Only while the key is still this request's pending key.
   */
  async abandon(creatorId: string, key: string, token: string): Promise<void> {
    await this.redis.eval(ABANDON, 1, this.key(creatorId, key), token);
  }
}
