import type { Redis } from 'ioredis';
import { newApiKey, sha256 } from './crypto.ts';
import { newId } from './ids.ts';
import type { Keys } from './keys.ts';

export interface Creator {
  id: string;
  name: string;
  createdAt: string;
}

export class CreatorStore {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  /** Returns the plaintext key once; only its SHA-256 is stored. */
  async create(name: string, apiKey = newApiKey()): Promise<{ creator: Creator; apiKey: string }> {
    const creator: Creator = { id: newId('crt'), name, createdAt: new Date().toISOString() };
    const m = this.redis.multi();
    m.hset(this.k.creator(creator.id), creator);
    m.zadd(this.k.creators, Date.parse(creator.createdAt), creator.id);
    m.set(this.k.apiKey(sha256(apiKey)), creator.id);
    await m.exec();
    return { creator, apiKey };
  }

  async get(id: string): Promise<Creator | undefined> {
    const h = await this.redis.hgetall(this.k.creator(id));
    return h.id ? { id: h.id, name: h.name!, createdAt: h.createdAt! } : undefined;
  }

  async byApiKey(apiKey: string): Promise<string | undefined> {
    return this.byKeyHash(sha256(apiKey));
  }

  async byKeyHash(hash: string): Promise<string | undefined> {
    return (await this.redis.get(this.k.apiKey(hash))) ?? undefined;
  }

  async list(): Promise<Creator[]> {
    const ids = await this.redis.zrange(this.k.creators, 0, -1);
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.k.creator(id));
    const res = (await p.exec()) ?? [];
    return res.map(([, h]) => h as Record<string, string>).filter((h) => h?.id).map((h) => ({ id: h.id!, name: h.name!, createdAt: h.createdAt! }));
  }
}
