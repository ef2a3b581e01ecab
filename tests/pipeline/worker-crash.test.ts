/**
 * A worker process killed (SIGKILL) in the middle of a platform write: no duplicate, no
 * lost delivery. The worker runs as a real child process; the X simulator and the API run
 * here, all on the test run's redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { createXSimulator, type XSimulator } from '../../adapters/x/simulator.ts';
import { createYouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import { generatedSource } from '../../src/platform/media.ts';
import { ADMIN_KEY, bearer, ENCRYPTION_KEY, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald;
let sim: XSimulator;
let yt: ReturnType<typeof createYouTubeSimulator>;
let mediaServer: http.Server;
let mediaBase: string;
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['bin/herald.mjs', 'worker', '--platforms', 'x,youtube'], {
    env: {
      ...process.env, HERALD_MODE: 'sandbox', HERALD_ALLOW_PRIVATE_URLS: 'true', REDIS_URL: h.config.redisUrl!, REDIS_PREFIX: h.config.redisPrefix, DATA_DIR: h.dataDir,
      ADMIN_API_KEY: ADMIN_KEY, ENCRYPTION_KEY, PLATFORM_X_URL: sim.server.origin(), X_CLIENT_ID: 'test-x-client',
      PLATFORM_YOUTUBE_URL: yt.server.origin(), YOUTUBE_CLIENT_ID: 'test-yt', YOUTUBE_CLIENT_SECRET: 'test-yt-secret',
      WORKER_LOCK_MS: '2000', SWEEP_INTERVAL_MS: '1000', PLATFORM_TIMEOUT_MS: '10000', LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.env.TEST_LOG_LEVEL && process.stderr.write(d));
  // Always read stdout (a full pipe would stall the child) and notice when it is ready.
  child.stdout?.on('data', (d: Buffer) => d.toString().includes('publish workers running') && ready.add(child));
  children.push(child);
  return child;
}

/**
 * Spawn a worker and wait until it says its publish workers run: a tsx start-up takes from
 * seconds to most of a minute on a busy machine; only the time after it is measured below.
 */
const ready = new WeakSet<ChildProcess>();
async function startedWorker(): Promise<ChildProcess> {
  const child = startWorker();
  await until(() => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the worker exited while starting');
    return ready.has(child);
  }, 120_000, 'the worker process to start');
  return child;
}

async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  sim = createXSimulator();
  await sim.server.start();
  yt = createYouTubeSimulator();
  await yt.server.start();
  mediaServer = http.createServer(async (req, res) => {
    const size = 40 * 1024 * 1024;
    const range = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { 'content-type': 'video/mp4', 'content-length': String(size - start) });
    for await (const c of generatedSource(size, 'video/mp4').stream(start)) {
      if (res.destroyed) return;
      if (!res.write(c)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  await new Promise<void>((r) => mediaServer.listen(0, '127.0.0.1', r));
  mediaBase = `http://127.0.0.1:${(mediaServer.address() as { port: number }).port}`;
  h = await startTestHerald({ worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await h?.stop();
  await sim?.server.stop();
  await yt?.server.stop();
  mediaServer?.close();
});

it('a worker killed mid-publish leaves no duplicate and no lost delivery', { timeout: 240_000 }, async () => {
  const { key } = await h.creator('crash');
  const demo = sim.createDemoAccount();
  const acc = (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } })).json().id;
  const post = async (text: string, scheduledAt?: Date) => {
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(key), payload: { text, targets: [{ accountId: acc }], ...(scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}) } });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().deliveries[0].id as string;
  };

  // The platform takes 3 s to answer the write (and commits it), so the kill lands mid-write.
  sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'delay', ms: 3_000 } });
  const first = await startedWorker();
  const inFlight = await post('written while the worker dies');
  const later = await post('due after the crash', new Date(Date.now() + 4_000));
  await until(() => sim.server.callsTo('POST', '/2/tweets').length === 1, 60_000, 'the write to reach the simulator');
  expect((await h.store.deliveries.get(inFlight))!.armed).toBeDefined();
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  startWorker();
  for (const id of [inFlight, later]) {
    await until(async () => (await h.store.deliveries.get(id))?.status === 'published', 60_000, `delivery ${id} to be published`);
  }
  expect(sim.state.tweets.filter((t) => t.text === 'written while the worker dies')).toHaveLength(1);
  expect(sim.state.tweets.filter((t) => t.text === 'due after the crash')).toHaveLength(1);
  expect(sim.server.callsTo('POST', '/2/tweets')).toHaveLength(2);
  const d = (await h.store.deliveries.get(inFlight))!;
  expect(d.platformPostId).toBe(sim.state.tweets.find((t) => t.text === 'written while the worker dies')!.id);
  expect(d.history.map((e) => e.event)).toContain('reconcile_started');
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

it('SIGTERM lets an in-flight publish finish and exits 0', { timeout: 180_000 }, async () => {
  const { key } = await h.creator('graceful');
  const demo = sim.createDemoAccount();
  const acc = (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } })).json().id;
  sim.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'delay', ms: 1_500 } });
  const writesBefore = sim.server.callsTo('POST', '/2/tweets').length;
  const worker = await startedWorker();
  let ready = '';
  worker.stdout?.on('data', (b: Buffer) => (ready += b.toString()));
  worker.stderr?.on('data', (b: Buffer) => (ready += b.toString()));
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(key), payload: { text: 'finishing before exit', targets: [{ accountId: acc }] } });
  const id = res.json().deliveries[0].id;
  await until(() => sim.server.callsTo('POST', '/2/tweets').length > writesBefore, 60_000, 'the write to start');
  const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
  const d = (await h.store.deliveries.get(id))!;
  expect(d.status).toBe('published');
  expect(sim.state.tweets.filter((t) => t.text === 'finishing before exit')).toHaveLength(1);
});

it('a worker killed mid-upload resumes the same YouTube session: one session, one video', { timeout: 240_000 }, async () => {
  const { key } = await h.creator('yt-crash');
  const demo = yt.createDemoAccount();
  const acc = (await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(key), payload: { platform: 'youtube', externalId: demo.externalId, credentials: demo.credentials } })).json().id;
  const sessionsBefore = yt.state.sessionsCreated;
  // The third chunk hangs long enough for the kill to land in the middle of the upload.
  const chunkPath = '/upload/youtube/v3/videos';
  const putsBefore = yt.server.callsTo('PUT', chunkPath).length;
  const first = await startedWorker();
  const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(key), payload: { text: 'resumed after a crash', media: [{ url: `${mediaBase}/v.mp4` }], targets: [{ accountId: acc, options: { title: 'Crash test' } }] } });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().deliveries[0].id;
  await until(() => yt.server.callsTo('PUT', chunkPath).length >= putsBefore + 2, 30_000, 'two chunks to arrive');
  yt.server.injectFault({ method: 'PUT', path: chunkPath, fault: { type: 'delay', ms: 5_000 } });
  await until(() => yt.server.callsTo('PUT', chunkPath).length >= putsBefore + 3, 30_000, 'the third chunk to start');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect((await h.store.deliveries.get(id))!.progress).toHaveProperty('session');

  startWorker();
  await until(async () => (await h.store.deliveries.get(id))?.status === 'published', 60_000, 'the video to be published');
  expect(yt.state.sessionsCreated - sessionsBefore).toBe(1);
  const d = (await h.store.deliveries.get(id))!;
  const video = yt.state.videos.get(d.platformPostId!) ?? [...yt.state.videos.values()].find((v) => v.id === d.platformPostId);
  expect(video!.bytes).toBe(40 * 1024 * 1024);
  expect(video!.sha256).toBe(createHash('sha256').update(await collect()).digest('hex'));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function collect(): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of generatedSource(40 * 1024 * 1024, 'video/mp4').stream(0)) parts.push(c);
  return Buffer.concat(parts);
}
