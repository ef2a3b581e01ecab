/**
 * 4. Scheduling precision: with many scheduled deliveries pending (30 days ahead), a batch
 * of single-target posts falls due within a few seconds. Lateness = the no-op platform's
 * clock when the write arrives − scheduledAt (both on this machine's clock).
 */
import { freePort } from '../../src/store/redis-child.ts';
import type { Scenario } from '../lib/context.ts';
import { farFuture } from '../lib/context.ts';
import { deploy, postMany, stopDeployment, warm, type Deployment } from '../lib/deploy.ts';
import { noopXAccounts, statusCount, statusCounts } from '../lib/herald.ts';
import { baseEnv, spawnTsChild, until } from '../lib/proc.ts';
import { row } from '../lib/results.ts';
import { fmt, summarize } from '../lib/stats.ts';

interface Stats {
  value: { writes: number; lateness: number[] };
}

export const scheduling: Scenario = async (ctx) => {
  const s = ctx.sizes;
  const port = await freePort();
  const platform = spawnTsChild('noop-x-sched', 'noop-x.ts', { port }, baseEnv(), ctx.logDir);
  let d: Deployment | undefined;
  try {
    await platform.waitFor('ready', 60_000);
    d = await deploy(ctx, 'sched', `http://127.0.0.1:${port}`, noopXAccounts(3));
    await warm(d);
    const all = d.accountIds.map((accountId) => ({ accountId }));

    const pendingPosts = Math.ceil(s.schedPending / 3);
    ctx.log(`scheduling: ${pendingPosts * 3} deliveries scheduled 30 days ahead`);
    const later = farFuture();
    await postMany(d, pendingPosts, 'pending', (i) => ({ text: `Bench pending #${i}: next month`, scheduledAt: later, targets: all }));
    const pending = await statusCount(ctx.redis.client, d.prefix, 'scheduled');
    // An AOF rewrite after the fill would be a fork competing for the 2 CPUs: let it finish first.
    await ctx.redis.quiesce();

    const n = s.schedDue;
    const base = Date.now() + s.schedLeadMs;
    const dueAt = (i: number) => base + Math.floor((i * s.schedSpreadMs) / n);
    ctx.log(`scheduling: ${n} deliveries due between +${s.schedLeadMs / 1000} s and +${(s.schedLeadMs + s.schedSpreadMs) / 1000} s`);
    const ids = d.accountIds;
    const r = await postMany(d, n, 'due', (i) => ({
      text: `Bench due #${i} due:${dueAt(i)}`, scheduledAt: new Date(dueAt(i)).toISOString(), targets: [{ accountId: ids[i % ids.length]! }],
    }));
    const acceptedBy = r.endMs - base;
    const stats = await until(`${n} due deliveries to reach the platform`, s.schedLeadMs + s.schedSpreadMs + 120_000, async () => {
      const st = await platform.ask<Stats>('stats');
      return st.value.lateness.length >= n ? st.value : undefined;
    }, 250);
    const late = summarize(stats.lateness);
    const statuses = await statusCounts(ctx.redis.client, d.prefix);
    const scale = `${fmt(pending)} pending, ${n} due over ${s.schedSpreadMs / 1000} s`;
    const accepted = acceptedBy < 0 ? `all accepted ${fmt(-acceptedBy)} ms before the first was due` : `WARNING: accepting ended ${fmt(acceptedBy)} ms after the first was due`;
    return [
      row({ scenario: 'scheduling: lateness p50', figure: late.p50, unit: 'ms', note: `${scale}; ${accepted}` }),
      row({
        scenario: 'scheduling: lateness p99', figure: late.p99, unit: 'ms', target: { on: 'figure', op: '<', value: 250, label: '< 250 ms' },
        note: `platform write time − scheduledAt; min ${fmt(late.min)} ms${ctx.quick ? '; quick run: smaller numbers than 100,000 / 1,000' : ''}`,
        details: { lateness: late, statuses },
      }),
      row({ scenario: 'scheduling: lateness max', figure: late.max, unit: 'ms', note: `${late.n} writes measured` }),
    ];
  } finally {
    await stopDeployment(d);
    await platform.stop();
    await ctx.redis.reset();
  }
};
