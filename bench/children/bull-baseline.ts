/**
 * Raw BullMQ limits on the bench's Redis, in their own process like Herald's API and worker:
 *  - add:     `queue.add` with `inFlight` calls outstanding, for `seconds` (after a 1 s warm-up),
 *             with Herald's job options (own job id, attempts 1, removeOnComplete/Fail) and delay;
 *  - process: `jobs` waiting jobs, then one Worker (concurrency 100) with a no-op processor;
 *             jobs/s from the worker's start to the last completion.
 */
import { Queue, Worker, type JobsOptions } from 'bullmq';
import { createBullConnection } from '../../src/store/redis.ts';
import { params, send, serve } from './ipc.ts';

interface Params {
  mode: 'add' | 'process';
  redisUrl: string;
  prefix: string;
  seconds?: number;
  inFlight?: number;
  delayMs?: number;
  jobs?: number;
  concurrency?: number;
}

const p = params<Params>();
const OPTS: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: true };
let seq = 0;
const nextId = () => `job_${process.pid}_${(seq++).toString(36)}`;

async function addRun(): Promise<Record<string, unknown>> {
  const conn = createBullConnection(p.redisUrl);
  const q = new Queue('baseline-add', { connection: conn, prefix: p.prefix, defaultJobOptions: OPTS });
  await q.waitUntilReady();
  const burst = async (ms: number) => {
    let n = 0;
    const end = Date.now() + ms;
    const loop = async () => {
      while (Date.now() < end) {
        const id = nextId();
        await q.add('publish', { d: id }, { jobId: id, delay: p.delayMs ?? 0 });
        n++;
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: p.inFlight ?? 64 }, loop));
    return { n, seconds: (Date.now() - t0) / 1000 };
  };
  await burst(1_000);
  send('started');
  const r = await burst((p.seconds ?? 10) * 1000);
  await q.close();
  conn.disconnect();
  return { jobs: r.n, seconds: r.seconds, perSecond: r.n / r.seconds };
}

async function processRun(): Promise<Record<string, unknown>> {
  const jobs = p.jobs ?? 20_000;
  const conn = createBullConnection(p.redisUrl);
  const q = new Queue('baseline-process', { connection: conn, prefix: p.prefix, defaultJobOptions: OPTS });
  for (let done = 0; done < jobs; done += 1000) {
    const n = Math.min(1000, jobs - done);
    await q.addBulk(Array.from({ length: n }, () => {
      const id = nextId();
      return { name: 'publish', data: { d: id }, opts: { ...OPTS, jobId: id } };
    }));
  }
  let completed = 0;
  let resolveDone: () => void = () => {};
  const allDone = new Promise<void>((r) => (resolveDone = r));
  send('started');
  const t0 = Date.now();
  const worker = new Worker('baseline-process', async () => {}, {
    connection: createBullConnection(p.redisUrl), prefix: p.prefix, concurrency: p.concurrency ?? 100,
    maxStalledCount: 10, stalledInterval: 15_000, lockDuration: 30_000,
  });
  worker.on('completed', () => {
    if (++completed === jobs) resolveDone();
  });
  await allDone;
  const seconds = (Date.now() - t0) / 1000;
  await worker.close();
  await q.close();
  conn.disconnect();
  return { jobs, seconds, perSecond: jobs / seconds };
}

serve({});
const result = p.mode === 'add' ? await addRun() : await processRun();
send('result', result);
