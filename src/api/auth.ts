import type { FastifyRequest } from 'fastify';
import { sha256, safeEqual } from '../store/crypto.ts';
import type { Store } from '../store/index.ts';
import { ApiError } from './errors.ts';

export type Principal = { kind: 'admin' } | { kind: 'creator'; creatorId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Who may call the route: a creator key, the admin key, or anyone. */
    auth?: 'creator' | 'admin' | 'none';
  }
}

/** Keys resolve to the same creator for their whole life, so lookups are cached briefly. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;

/** Resolves `Authorization: Bearer <key>`; the admin key is compared by hash in constant time. */
export function authenticator(store: Store, adminKey: string | undefined) {
  const adminHash = adminKey ? sha256(adminKey) : undefined;
  const cache = new Map<string, { creatorId: string; until: number }>();
  return async function authenticate(req: FastifyRequest): Promise<Principal> {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S{8,512})\s*$/i.exec(header) : null;
    if (!m) throw new ApiError('unauthorized', 'send Authorization: Bearer <api key>');
    const key = m[1]!;
    const hash = sha256(key);
    if (adminHash && safeEqual(hash, adminHash)) return { kind: 'admin' };
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return { kind: 'creator', creatorId: hit.creatorId };
    const creatorId = await store.creators.byKeyHash(hash);
    if (!creatorId) throw new ApiError('unauthorized', 'unknown API key');
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { creatorId, until: Date.now() + CACHE_TTL_MS });
    return { kind: 'creator', creatorId };
  };
}

export function creatorOf(req: FastifyRequest): string {
  const p = req.principal;
  if (p?.kind !== 'creator') throw new ApiError('creator_only', 'this route needs a creator API key');
  return p.creatorId;
}
