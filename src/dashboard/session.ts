/**
 * Dashboard sessions: logging in with the admin key creates a session in Redis (so logout
 * really ends it) whose id travels in a signed, HttpOnly, SameSite=Strict cookie. Forms
 * that change anything carry a CSRF token derived from the session id.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { randomToken, safeEqual, sha256 } from '../store/crypto.ts';

export const SESSION_COOKIE = 'herald_admin';
/** A working day; logging in again is cheap. */
export const SESSION_TTL_MS = 12 * 3600_000;

export class DashboardSessions {
  /** Signs cookies and CSRF tokens; changes (and so ends every session) with the admin key. */
  readonly secret: string;
  private readonly adminHash: string | undefined;

  constructor(private readonly redis: Redis, private readonly key: (id: string) => string, adminKey: string | undefined) {
    this.adminHash = adminKey ? sha256(adminKey) : undefined;
    this.secret = createHmac('sha256', adminKey ?? randomToken(32)).update('herald dashboard session v1').digest('base64url');
  }

  /** The admin key, compared by hash in constant time. */
  checkAdminKey(candidate: string): boolean {
    return this.adminHash !== undefined && safeEqual(sha256(candidate.trim()), this.adminHash);
  }

  async create(): Promise<string> {
    const id = randomToken(24);
    await this.redis.set(this.key(id), new Date().toISOString(), 'PX', SESSION_TTL_MS);
    return id;
  }

  async valid(id: string): Promise<boolean> {
    return /^[A-Za-z0-9_-]{32}$/.test(id) && (await this.redis.exists(this.key(id))) === 1;
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  csrfToken(sessionId: string): string {
    return createHmac('sha256', this.secret).update(`csrf:${sessionId}`).digest('base64url');
  }

  checkCsrf(sessionId: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const want = Buffer.from(this.csrfToken(sessionId));
    const got = Buffer.from(token);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}
