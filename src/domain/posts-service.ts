/**
 * Creating, reading and listing posts: validation against every target, durable storage,
 * idempotency, and enqueueing one delivery per target.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, notFound } from './errors.ts';
import type { MediaStore } from '../media/store.ts';
import type { PrivateAccess } from '../media/url-policy.ts';
import type { PlatformRuntime } from '../platform/runtime.ts';
import type { PublishQueues } from '../queue/queues.ts';
import type { Account } from '../store/accounts.ts';
import { randomToken } from '../store/crypto.ts';
import { newId } from '../store/ids.ts';
import type { Store } from '../store/index.ts';
import type { Post } from '../store/posts.ts';
import { derivePostStatus, type Delivery, type DeliveryStatus, type PostStatus } from './delivery.ts';
import { threadMediaOf, validatePost, type Issue, type PostInput } from './validate.ts';
import type { PlatformName } from '../platform/port.ts';

export function deliveryView(d: Delivery, admin = false) {
  return {
    id: d.id,
    ...(admin ? { postId: d.postId, creatorId: d.creatorId } : {}),
    accountId: d.accountId,
    platform: d.platform,
    status: d.status,
    attempts: d.attempts,
    scheduledAt: d.scheduledAt,
    platformPostId: d.platformPostId ?? null,
    url: d.url ?? null,
    error: d.error ?? null,
    nextAttemptAt: d.nextAttemptAt ?? null,
    publishedAt: d.publishedAt ?? null,
    handoff: d.handoff ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    history: d.history,
  };
}
export type DeliveryView = ReturnType<typeof deliveryView>;

export function postView(p: Post, deliveries: Delivery[]) {
  return {
    id: p.id,
    status: derivePostStatus(deliveries),
    text: p.text,
    media: p.media,
    targets: p.targets.map(({ deliveryId: _d, ...t }) => t),
    scheduledAt: p.scheduledAt,
    timezone: p.timezone ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    deliveries: deliveries.map((d) => deliveryView(d)),
  };
}
export type PostView = ReturnType<typeof postView>;

export interface PostListFilter {
  status?: PostStatus;
  platform?: PlatformName;
  accountId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** Stable fingerprint of a request body for idempotency (key order does not matter). */
export function fingerprint(body: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : v;
  return createHash('sha256').update(JSON.stringify(canon(body))).digest('hex');
}

export class PostService {
  constructor(
    private readonly store: Store,
    private readonly queues: PublishQueues,
    private readonly runtime: PlatformRuntime,
    private readonly media: MediaStore,
    private readonly opts: { allowPrivateUrls: PrivateAccess; log: Logger },
  ) {}

  async loadAccounts(ids: string[]): Promise<Map<string, Account>> {
    const unique = [...new Set(ids)];
    const list = await this.store.accounts.getManyCached(unique);
    const map = new Map<string, Account>();
    list.forEach((a) => a && map.set(a.id, a));
    return map;
  }

  async validate(creatorId: string, input: PostInput, accounts?: Map<string, Account>): Promise<Issue[]> {
    const accs = accounts ?? (await this.loadAccounts(input.targets.map((t) => t.accountId)));
    const refs = [...(input.media ?? []), ...input.targets.flatMap((t) => [...(t.media ?? []), ...threadMediaOf(t.options).flat()])];
    const mediaIds = refs.flatMap((m) => (typeof m.mediaId === 'string' ? [m.mediaId] : []));
    const media = mediaIds.length ? await this.media.getForCreator(creatorId, mediaIds) : new Map();
    return validatePost(input, { accounts: accs, adapters: this.runtime.adapters, creatorId, media, allowPrivateUrls: this.opts.allowPrivateUrls });
  }

  async create(creatorId: string, input: PostInput, idempotencyKey?: string): Promise<PostView> {
    let postId = newId('pst');
    const fp = idempotencyKey ? fingerprint(input) : '';
    const token = randomToken(12);
    if (idempotencyKey) {
      const st = await this.store.idempotency.begin(creatorId, idempotencyKey, fp, postId, token);
      if (st.state === 'mismatch') throw new ApiError('idempotency_mismatch', 'this Idempotency-Key was used with a different body');
      if (st.state === 'replay') return this.get(creatorId, st.postId);
      if (st.state === 'in_progress') {
        // The first request stored the post and died before recording it: serve it.
        if (await this.store.posts.get(st.postId)) {
          await this.store.idempotency.complete(creatorId, idempotencyKey, fp, st.postId);
          return this.get(creatorId, st.postId);
        }
        if (!st.abandoned) throw new ApiError('idempotency_in_progress', 'a request with this Idempotency-Key is still in progress; retry shortly');
        await this.store.idempotency.takeOver(creatorId, idempotencyKey, fp, st.postId, token);
        postId = st.postId;
      }
    }
    const attempt = { mayExist: false };
    try {
      const view = await this.createUnchecked(creatorId, input, postId, attempt);
      if (idempotencyKey) await this.store.idempotency.complete(creatorId, idempotencyKey, fp, view.id);
      return view;
    } catch (err) {
      // Once the post may be durable the key stays: a retry with it finds the post (pending-key path).
      if (idempotencyKey && !attempt.mayExist) await this.store.idempotency.abandon(creatorId, idempotencyKey, token);
      throw err;
    }
  }

  private async createUnchecked(creatorId: string, input: PostInput, postId: string, attempt: { mayExist: boolean }): Promise<PostView> {
    const accounts = await this.loadAccounts(input.targets.map((t) => t.accountId));
    const issues = await this.validate(creatorId, input, accounts);
    if (issues.length) throw new ApiError('validation_failed', `the post breaks ${issues.length} rule(s) of its target platforms`, issues);

    const now = new Date();
    const nowIso = now.toISOString();
    const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : now;
    const future = scheduledAt.getTime() > now.getTime();
    const deliveries: Delivery[] = [];
    const post: Post = {
      v: 0,
      id: postId,
      creatorId,
      text: input.text,
      media: input.media ?? [],
      targets: input.targets.map((t) => {
        const account = accounts.get(t.accountId)!;
        const status: DeliveryStatus = future ? 'scheduled' : 'queued';
        const d: Delivery = {
          v: 0, id: newId('dlv'), postId, creatorId, accountId: account.id, platform: account.platform, status,
          attempts: 0, scheduledAt: scheduledAt.toISOString(), createdAt: nowIso, updatedAt: nowIso, history: [],
        };
        deliveries.push(d);
        return {
          accountId: t.accountId, deliveryId: d.id,
          ...(t.text !== undefined ? { text: t.text } : {}),
          ...(t.media !== undefined ? { media: t.media } : {}),
          ...(t.options !== undefined ? { options: t.options } : {}),
        };
      }),
      scheduledAt: scheduledAt.toISOString(),
      ...(input.timezone ? { timezone: input.timezone } : {}),
      createdAt: nowIso,
      updatedAt: nowIso,
    };
    attempt.mayExist = true;
    // Another request with the same Idempotency-Key stored this post id first: serve its post.
    if (!(await this.store.posts.create(post, deliveries))) return this.get(creatorId, postId);
    // Durable from here: if enqueueing fails, the sweeper enqueues these deliveries.
    try {
      await this.queues.scheduleMany(deliveries.map((d) => ({ deliveryId: d.id, platform: d.platform, runAt: scheduledAt.getTime() })));
    } catch (err) {
      this.opts.log.error({ err, postId }, 'enqueue failed after the post was stored; the sweeper will enqueue it');
    }
    return postView(post, deliveries);
  }

  async load(creatorId: string, id: string): Promise<{ post: Post; deliveries: Delivery[] }> {
    const post = await this.store.posts.get(id);
    if (!post || post.creatorId !== creatorId) throw notFound('post');
    const deliveries = (await this.store.deliveries.getMany(post.targets.map((t) => t.deliveryId))).filter((d): d is Delivery => d !== undefined);
    return { post, deliveries };
  }

  async get(creatorId: string, id: string): Promise<PostView> {
    const { post, deliveries } = await this.load(creatorId, id);
    return postView(post, deliveries);
  }

  /** Cursor pagination over the creator's posts (newest first), filters applied while scanning. */
  async list(creatorId: string, f: PostListFilter): Promise<{ data: PostView[]; nextCursor: string | null }> {
    const out: PostView[] = [];
    let cursor = f.cursor;
    const from = f.from ? Date.parse(f.from) : -Infinity;
    const to = f.to ? Date.parse(f.to) : Infinity;
    // Bound the work of one request; a sparse filter returns a short page and a cursor.
    for (let scanned = 0; out.length < f.limit && scanned < 2_000;) {
      const page = await this.store.posts.page(creatorId, cursor, Math.max(f.limit, 50));
      if (page.ids.length === 0) {
        cursor = undefined;
        break;
      }
      const posts = await this.store.posts.getMany(page.ids);
      const allDeliveryIds = posts.flatMap((p) => p?.targets.map((t) => t.deliveryId) ?? []);
      const dmap = new Map((await this.store.deliveries.getMany(allDeliveryIds)).filter((d): d is Delivery => !!d).map((d) => [d.id, d]));
      let lastServed: string | undefined;
      for (let i = 0; i < page.ids.length; i++) {
        scanned++;
        const p = posts[i];
        lastServed = page.ids[i];
        if (!p) continue;
        const ds = p.targets.map((t) => dmap.get(t.deliveryId)).filter((d): d is Delivery => !!d);
        const at = Date.parse(p.scheduledAt);
        if (at < from || at > to) continue;
        if (f.platform && !ds.some((d) => d.platform === f.platform)) continue;
        if (f.accountId && !ds.some((d) => d.accountId === f.accountId)) continue;
        const view = postView(p, ds);
        if (f.status && view.status !== f.status) continue;
        out.push(view);
        if (out.length === f.limit) break;
      }
      if (out.length === f.limit) {
        const lastOnPage = lastServed === page.ids[page.ids.length - 1];
        const lastPost = posts[page.ids.indexOf(lastServed!)];
        cursor = lastOnPage && !page.next ? undefined : `${Date.parse(lastPost?.createdAt ?? '0')}:${lastServed}`;
        break;
      }
      if (!page.next) {
        cursor = undefined;
        break;
      }
      cursor = page.next;
    }
    return { data: out, nextCursor: cursor ?? null };
  }
}
