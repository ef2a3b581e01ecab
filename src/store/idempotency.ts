import type { Redis } from 'ioredis';
import { sha256 } from './crypto.ts';
import type { Keys } from './keys.ts';

/** Keys are remembered for 24 hours from first use. */
export const IDEMPOTENCY_TTL_S = 24 * 3600;

export type IdempotencyState =
  | { state: 'new' }
  | { state: 'replay'; postId: string }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

export class IdempotencyStore {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  private key(creatorId: string, key: string) {
    return this.k.idempotency(creatorId, sha256(key));
  }

  async begin(creatorId: string, key: string, fingerprint: string): Promise<IdempotencyState> {
    const k = this.key(creatorId, key);
    const ok = await this.redis.set(k, JSON.stringify({ f: fingerprint, s: 'pending' }), 'EX', IDEMPOTENCY_TTL_S, 'NX');
    if (ok) return { state: 'new' };
    const raw = await this.redis.get(k);
    if (!raw) return this.begin(creatorId, key, fingerprint);
    const rec = JSON.parse(raw) as { f: string; s: 'pending' | 'done'; postId?: string };
    if (rec.f !== fingerprint) return { state: 'mismatch' };
    if (rec.s === 'pending' || !rec.postId) return { state: 'in_progress' };
    return { state: 'replay', postId: rec.postId };
  }

  async complete(creatorId: string, key: string, fingerprint: string, postId: string): Promise<void> {
    await this.redis.set(this.key(creatorId, key), JSON.stringify({ f: fingerprint, s: 'done', postId }), 'KEEPTTL');
  }

  /** The request failed without creating anything: forget the key so a corrected retry can use it. */
  async abandon(creatorId: string, key: string): Promise<void> {
    await this.redis.del(this.key(creatorId, key));
  }
}
