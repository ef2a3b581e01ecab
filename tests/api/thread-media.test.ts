/**
 * X thread media is validated when the post is accepted, like the post's own media
 * (issue 7 item 19): ownership of mediaId, URL policy, type and size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let alice: { id: string; key: string };
let bob: { id: string; key: string };
let bobX: string;

async function upload(key: string, contentType: string, bytes: number) {
  const res = await h.api!.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(key), 'content-type': contentType }, payload: Buffer.alloc(bytes, 1) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

beforeAll(async () => {
  h = await startTestHerald({ env: { HERALD_ALLOW_PRIVATE_URLS: 'false' } });
  alice = await h.creator('alice');
  bob = await h.creator('bob');
  const res = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(bob.key), payload: { platform: 'x', externalId: '5150', credentials: { accessToken: 't' } } });
  bobX = res.json().id;
});
afterAll(async () => {
  await h?.stop();
});

const withThreadMedia = (media: Record<string, string>[]) => ({
  text: 'main post', scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
  targets: [{ accountId: bobX, options: { thread: [{ text: 'reply 1' }, { text: 'reply 2', media }] } }],
});

async function rejected(media: Record<string, string>[]) {
  const before = await h.store.redis.zcard(h.store.k.creatorPosts(bob.id));
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(bob.key), payload: withThreadMedia(media) });
  expect(res.statusCode, res.body).toBe(422);
  expect(await h.store.redis.zcard(h.store.k.creatorPosts(bob.id))).toBe(before);
  const dry = await h.api!.inject({ method: 'POST', url: '/v1/posts/validate', headers: bearer(bob.key), payload: withThreadMedia(media) });
  expect(dry.json().valid).toBe(false);
  return res.json().error.details as { field: string; code: string; platform?: string; target?: number }[];
}

describe('thread media at accept time', () => {
  it("refuses another creator's media id", async () => {
    const alices = await upload(alice.key, 'image/png', 100);
    const details = await rejected([{ mediaId: alices }]);
    expect(details).toContainEqual(expect.objectContaining({ target: 0, platform: 'x', field: 'targets.0.options.thread.1.media.0.mediaId', code: 'media_not_found' }));
  });

  it('applies the URL policy', async () => {
    for (const url of ['https://127.0.0.1/a.png', 'http://example.com/a.png', 'not a url']) {
      const details = await rejected([{ url }]);
      expect(details, url).toContainEqual(expect.objectContaining({ field: 'targets.0.options.thread.1.media.0.url', code: 'media_url_not_allowed' }));
    }
  });

  it('checks type and size against the platform', async () => {
    const pdf = await upload(bob.key, 'application/pdf', 100);
    expect(await rejected([{ mediaId: pdf }])).toContainEqual(expect.objectContaining({ field: 'targets.0.options.thread.1.media.0', code: 'media_type_not_supported' }));
    const huge = await upload(bob.key, 'image/png', 5 * 1024 * 1024 + 1);
    expect(await rejected([{ mediaId: huge }])).toContainEqual(expect.objectContaining({ field: 'targets.0.options.thread.1.media.0', code: 'media_too_large' }));
  });

  it('accepts the creator own media in a thread', async () => {
    const own = await upload(bob.key, 'image/png', 100);
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(bob.key), payload: withThreadMedia([{ mediaId: own, altText: 'a picture' }]) });
    expect(res.statusCode, res.body).toBe(202);
  });
});
