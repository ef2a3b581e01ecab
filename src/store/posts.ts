import type { Redis } from 'ioredis';
import type { Delivery } from '../domain/delivery.ts';
import { cas, versioned, type IndexOp } from './cas.ts';
import { indexOps, pageZset, serializeDelivery } from './deliveries.ts';
import type { Keys } from './keys.ts';

export interface MediaInput {
  url?: string;
  mediaId?: string;
  altText?: string;
}

export interface PostTarget {
  accountId: string;
  deliveryId: string;
  text?: string;
  media?: MediaInput[];
  options?: Record<string, unknown>;
}

export interface Post {
  v: number;
  id: string;
  creatorId: string;
  text: string;
  media: MediaInput[];
  targets: PostTarget[];
  scheduledAt: string;
  timezone?: string;
  createdAt: string;
  updatedAt: string;
}

export class PostStore {
  constructor(private readonly redis: Redis, private readonly k: Keys) {}

  /**
   * Post, deliveries and every index in one atomic step, only if the post id is still free:
   * a 202 means all of it is durable, and of two requests that chose the same post id (an
   * Idempotency-Key taken over from a stalled request) exactly one stores its deliveries.
   * Returns false when the post already exists (nothing was written).
   */
  async create(post: Post, deliveries: Delivery[]): Promise<boolean> {
    const ops: IndexOp[] = [['ZADD', this.k.creatorPosts(post.creatorId), Date.parse(post.createdAt), post.id]];
    for (const d of deliveries) ops.push(['SET', this.k.delivery(d.id), serializeDelivery(d)], ...indexOps(this.k, undefined, d));
    return (await cas(this.redis, this.k.post(post.id), '', versioned(post), ops)) === 1;
  }

  async get(id: string): Promise<Post | undefined> {
    const raw = await this.redis.get(this.k.post(id));
    return raw ? (JSON.parse(raw) as Post) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<(Post | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.k.post(id)));
    return raws.map((r) => (r ? (JSON.parse(r) as Post) : undefined));
  }

  /** Replace a post's content (the caller checked nothing has started). */
  async save(post: Post): Promise<void> {
    await this.redis.set(this.k.post(post.id), versioned(post));
  }

  async page(creatorId: string, cursor: string | undefined, count: number) {
    return pageZset(this.redis, this.k.creatorPosts(creatorId), cursor, count);
  }
}
