/**
 * /metrics: Prometheus text that `promtool check metrics` accepts, with the series README
 * promises, open by default and behind METRICS_TOKEN when set; a worker-only process
 * serves its own on METRICS_PORT.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';

const TOKEN = 'metrics-token-0123456789';

let x: ReturnType<typeof createXSimulator>;
let origin: string;
let h: TestHerald;
let rx: Receiver;

beforeAll(async () => {
  x = createXSimulator();
  origin = await x.server.start();
  rx = await startReceiver();
  h = await startTestHerald({ worker: true, platformUrls: { x: origin }, webhooks: { backoffBaseMs: 20, backoffCapMs: 100, relayIntervalMs: 50, timeoutMs: 1_000 } });
});
afterAll(async () => {
  await h?.stop();
  await x?.server.stop();
  await rx?.close();
});

function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is not installed (Debian package prometheus); npm test installs it: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

async function scrape(herald: TestHerald, headers: Record<string, string> = {}) {
  const res = await herald.api!.inject({ method: 'GET', url: '/metrics', headers });
  return res;
}

/** Scrapes until `re` matches (the counter moves right after the store write the test saw). */
async function waitForSeries(re: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  let body = '';
  while (Date.now() < deadline) {
    body = (await scrape(h)).body;
    if (re.test(body)) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no series matching ${re} in:\n${body}`);
}

describe('/metrics', () => {
  it('passes promtool check metrics and carries every promised series after a publish with a token refresh', async () => {
    const creator = await h.creator('metrics');
    const demo = x.createDemoAccount();
    // Expiring within the proactive window: the worker refreshes before publishing.
    const credentials = { ...demo.credentials, expiresAt: new Date(Date.now() + 60_000).toISOString() };
    const acc = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials } });
    expect(acc.statusCode, acc.body).toBe(201);
    // The receiver answers 500, then does not answer in time, then 200: one attempt of each result.
    rx.script('/hook', [500, 'hang']);
    const hook = await h.api!.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(creator.key), payload: { url: rx.url('/hook'), events: ['delivery.published'] } });
    expect(hook.statusCode, hook.body).toBe(201);
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'metrics hello', targets: [{ accountId: acc.json().id }] } });
    expect(res.statusCode, res.body).toBe(202);
    await h.waitFor(res.json().deliveries[0].id, (d) => d.status === 'published');
    await rx.waitFor('/hook', (got) => got.length === 3);
    await waitForSeries(/^herald_webhook_deliveries_total\{result="success"\} 1$/m);

    const body = await waitForSeries(/^herald_deliveries_total\{platform="x",outcome="published"\} 1$/m);
    const check = promtool(body);
    expect(check.status, check.output).toBe(0);
    expect(body).toMatch(/^herald_publish_duration_seconds_count\{platform="x",outcome="published"\} 1$/m);
    expect(body).toMatch(/^herald_publish_duration_seconds_bucket\{le="\+Inf",platform="x",outcome="published"\} 1$/m);
    expect(body).toMatch(/^herald_token_refreshes_total\{platform="x",result="ok"\} 1$/m);
    // A 2xx ends the retries: exactly one success.
    expect(body).toMatch(/^herald_webhook_deliveries_total\{result="success"\} 1$/m);
    expect(body).toMatch(/^herald_webhook_deliveries_total\{result="timeout"\} [1-9]\d*$/m);
    expect(body).toMatch(/^herald_webhook_deliveries_total\{result="http_error"\} [1-9]\d*$/m);
    expect(body).toMatch(/^herald_queue_jobs\{platform="x",state="waiting"\} \d+$/m);
    expect(body).toMatch(/^herald_queue_jobs\{platform="youtube",state="delayed"\} \d+$/m);
    expect(body).toMatch(/^herald_queue_paused\{platform="linkedin"\} 0$/m);
    expect(body).toMatch(/^herald_delivery_status\{status="published"\} 1$/m);
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('counts a failed refresh as failed', async () => {
    const creator = await h.creator('metrics-refresh-fail');
    const demo = x.createDemoAccount();
    const credentials = { ...demo.credentials, refreshToken: 'revoked-refresh-token', expiresAt: new Date(Date.now() + 60_000).toISOString() };
    const acc = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials } });
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'metrics refresh fails', targets: [{ accountId: acc.json().id }] } });
    await h.waitFor(res.json().deliveries[0].id, (d) => d.status === 'failed');
    const body = await waitForSeries(/^herald_deliveries_total\{platform="x",outcome="failed"\} 1$/m);
    expect(body).toMatch(/^herald_token_refreshes_total\{platform="x",result="failed"\} 1$/m);
  });

  it('is open without METRICS_TOKEN and needs the bearer token when it is set', async () => {
    expect((await scrape(h)).statusCode).toBe(200);
    const locked = await startTestHerald({ env: { METRICS_TOKEN: TOKEN } });
    try {
      const none = await scrape(locked);
      expect(none.statusCode).toBe(401);
      expect(none.body).not.toMatch(/herald_/);
      expect((await scrape(locked, bearer('wrong-token-0123456789'))).statusCode).toBe(401);
      const ok = await scrape(locked, bearer(TOKEN));
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(promtool(ok.body).status).toBe(0);
    } finally {
      await locked.stop();
    }
  });

  it('a worker-only process serves /metrics on METRICS_PORT, with the token', async () => {
    const worker = await startTestHerald({ api: false, worker: true, env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN } });
    try {
      expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(worker.metricsUrl!)).status).toBe(401);
      const res = await fetch(worker.metricsUrl!, { headers: bearer(TOKEN) });
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toMatch(/^herald_queue_jobs\{platform="x",state="active"\} \d+$/m);
      expect(promtool(body).status).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});
