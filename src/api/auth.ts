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

/** Resolves `Authorization: Bearer <key>`; the admin key is compared by hash in constant time. */
export function authenticator(store: Store, adminKey: string | undefined) {
  const adminHash = adminKey ? sha256(adminKey) : undefined;
  return async function authenticate(req: FastifyRequest): Promise<Principal> {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S{8,512})\s*$/i.exec(header) : null;
    if (!m) throw new ApiError('unauthorized', 'send Authorization: Bearer <api key>');
    const key = m[1]!;
    if (adminHash && safeEqual(sha256(key), adminHash)) return { kind: 'admin' };
    const creatorId = await store.creators.byApiKey(key);
    if (!creatorId) throw new ApiError('unauthorized', 'unknown API key');
    return { kind: 'creator', creatorId };
  };
}

export function creatorOf(req: FastifyRequest): string {
  const p = req.principal;
  if (p?.kind !== 'creator') throw new ApiError('creator_only', 'this route needs a creator API key');
  return p.creatorId;
}
