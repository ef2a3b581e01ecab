/**
 * 5. Memory: Redis bytes per scheduled 3-target post, INFO memory used_memory before and after
 * N posts (everything they cost: post and delivery records, indexes, BullMQ jobs if any),
 * divided by N. API only: nothing is due for 30 days.
 */
import type { Scenario } from '../lib/context.ts';
import { farFuture } from '../lib/context.ts';
import { deploy, postMany, stopDeployment, type Deployment } from '../lib/deploy.ts';
import { noopXAccounts } from '../lib/herald.ts';
import { sleep } from '../lib/proc.ts';
import { row } from '../lib/results.ts';
import { fmt } from '../lib/stats.ts';

const KB = 1024;

export const memory: Scenario = async (ctx) => {
  const n = ctx.sizes.memPosts;
  let d: Deployment | undefined;
  try {
    d = await deploy(ctx, 'memory', 'http://127.0.0.1:9', noopXAccounts(3), { worker: false });
    const targets = d.accountIds.map((accountId) => ({ accountId }));
    const later = farFuture();
    const body = (i: number) => ({ text: `Bench memory #${i}: a scheduled post to three X accounts`, scheduledAt: later, targets });
    await postMany(d, 20, 'memory-warm', body);
    const measure = async () => {
      await ctx.redis.quiesce();
      await sleep(500);
      const m = await ctx.redis.info('memory');
      const keys = Number(/keys=(\d+)/.exec((await ctx.redis.info('keyspace')).db0 ?? '')?.[1] ?? 0);
      return { used: Number(m.used_memory), dataset: Number(m.used_memory_dataset), keys };
    };
    const before = await measure();
    ctx.log(`memory: ${n} scheduled 3-target posts`);
    await postMany(d, n, 'memory', (i) => body(i + 20));
    const after = await measure();
    const breakdown = await whereBytesGo(ctx, d.prefix, n);
    const jobs = await ctx.redis.client.zcard(`${d.prefix}:q:publish-x:delayed`);
    const perPost = (after.used - before.used) / n;
    const dataset = (after.dataset - before.dataset) / n;
    return [row({
      scenario: `memory: Redis bytes per scheduled 3-target post`, figure: perPost, unit: 'B',
      target: { on: 'figure', op: '<=', value: 3 * KB, label: '≤ 3 KB (3,072 B)' },
      note: `used_memory delta / ${fmt(n)} posts (3 deliveries each, ${fmt(jobs / n)} BullMQ jobs/post); dataset ${fmt(dataset)} B/post; ${fmt((after.keys - before.keys) / n)} keys/post; `
        + `MEMORY USAGE per post: ${Object.entries(breakdown).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}${ctx.quick ? '; quick run: fewer posts than 100,000' : ''}`,
      details: { before, after, posts: n, bytesPerPost: breakdown },
    })];
  } finally {
    await stopDeployment(d);
    await ctx.redis.reset();
  }
};

/** MEMORY USAGE of one post's records, and of each shared index divided by the number of posts. */
async function whereBytesGo(ctx: Parameters<Scenario>[0], prefix: string, posts: number): Promise<Record<string, number>> {
  const r = ctx.redis.client;
  const usage = async (key: string) => Number((await r.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  const [, [postKey]] = (await r.scan('0', 'MATCH', `${prefix}:post:*`, 'COUNT', 1000)) as [string, string[]];
  if (!postKey) return {};
  const post = JSON.parse((await r.get(postKey)) ?? '{}') as { creatorId: string; targets: { deliveryId: string }[] };
  const ids = post.targets.map((t) => t.deliveryId);
  const sum = async (keys: string[]) => (await Promise.all(keys.map(usage))).reduce((a, b) => a + b, 0);
  const indexes = [`${prefix}:creator:${post.creatorId}:posts`, `${prefix}:deliveries`, `${prefix}:deliveries:status:scheduled`, `${prefix}:due`];
  const q = `${prefix}:q:publish-x`;
  return {
    'post record': await usage(postKey),
    'delivery records': await sum(ids.map((id) => `${prefix}:dlv:${id}`)),
    'BullMQ job hashes': await sum(ids.map((id) => `${q}:${id}`)),
    'Herald sorted sets': (await sum(indexes)) / posts,
    'BullMQ delayed set': (await usage(`${q}:delayed`)) / posts,
    'BullMQ events stream': (await usage(`${q}:events`)) / posts,
  };
}
