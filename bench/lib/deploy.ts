/** One Herald deployment of a scenario: an API and a worker process, a creator with accounts, and posting helpers. */
import type { Ctx } from './context.ts';
import { creatorWithAccounts, lastTransition, startApi, startWorker, statusCount, statusCounts, type AccountSpec, type HeraldApi } from './herald.ts';
import { load, problems, type LoadResult } from './load.ts';
import { until, type Proc } from './proc.ts';

export interface Deployment {
  ctx: Ctx;
  prefix: string;
  api: HeraldApi;
  worker?: Proc;
  key: string;
  accountIds: string[];
  /** Deliveries published so far (the expected total after each step). */
  published: number;
}

export async function deploy(ctx: Ctx, name: string, xUrl: string, accounts: AccountSpec[], opts: { worker?: boolean } = {}): Promise<Deployment> {
  const prefix = ctx.prefix(name);
  const setup = { name, redisUrl: ctx.redis.url, prefix, runDir: ctx.runDir, logDir: ctx.logDir, platformUrls: { x: xUrl } };
  const api = await startApi(setup);
  let worker: Proc | undefined;
  try {
    if (opts.worker !== false) worker = await startWorker(setup);
    const { key, accountIds } = await creatorWithAccounts(api.url, accounts);
    return { ctx, prefix, api, ...(worker ? { worker } : {}), key, accountIds, published: 0 };
  } catch (err) {
    await Promise.all([worker?.stop(), api.proc.stop()]);
    throw err;
  }
}

export async function stopDeployment(d: Deployment | undefined): Promise<void> {
  if (d) await Promise.all([d.worker?.stop(), d.api.proc.stop()]);
}

/** POST /v1/posts `n` times (64 connections), body i from `body`; every one must be accepted. */
export async function postMany(d: Deployment, n: number, tag: string, body: (i: number) => unknown): Promise<LoadResult> {
  const r = await load({
    url: d.api.url, path: '/v1/posts', headers: { authorization: `Bearer ${d.key}` }, connections: Math.min(n, d.ctx.sizes.connections), amount: n, body,
  });
  if (r.ok !== n) throw new Error(`${tag}: only ${r.ok} of ${n} posts accepted (${problems(r)})`);
  return r;
}

/** `n` immediate posts to all of the deployment's accounts, each with a unique text. */
export function postNow(d: Deployment, n: number, tag: string): Promise<LoadResult> {
  const targets = d.accountIds.map((accountId) => ({ accountId }));
  return postMany(d, n, tag, (i) => ({ text: `Bench ${tag} #${i} ${Math.random().toString(36).slice(2, 8)}`, targets }));
}

/** Wait until `expected` deliveries are published in total; returns when the last one was (ms). */
export async function waitPublished(d: Deployment, expected: number, what: string): Promise<number> {
  const redis = d.ctx.redis.client;
  let last = -1;
  let lastChange = Date.now();
  await until(`${what}: ${expected} deliveries published`, 900_000, async () => {
    const n = await statusCount(redis, d.prefix, 'published');
    if (n !== last) [last, lastChange] = [n, Date.now()];
    if (n >= expected) return true;
    if (Date.now() - lastChange > 60_000) {
      throw new Error(`${what}: stuck at ${n} of ${expected} published; statuses ${JSON.stringify(await statusCounts(redis, d.prefix))}`);
    }
    return undefined;
  }, 50);
  d.published = expected;
  return lastTransition(redis, d.prefix, 'published');
}

/** 100 posts through the whole path, so JIT and connections are warm before measuring. */
export async function warm(d: Deployment): Promise<void> {
  await postNow(d, 100, 'warm');
  await waitPublished(d, d.published + 100 * d.accountIds.length, 'warm-up');
}
