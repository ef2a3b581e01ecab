/** HTTP load through autocannon, in this process, with a fresh body for every request. */
import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx answers per second over the whole run. */
  okPerSecond: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  startMs: number;
  endMs: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Body of request number i (0-based, in sending order); JSON-encoded. */
  body?: (i: number) => unknown;
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const headers: Record<string, string> = { ...(o.body ? { 'content-type': 'application/json' } : {}), ...o.headers };
  const opts: AutocannonOptions = {
    url: o.url,
    connections: o.connections,
    timeout: 30,
    requests: [{
      method: o.method ?? (o.body ? 'POST' : 'GET'),
      path: o.path,
      headers,
      ...(o.body ? { setupRequest: (req) => ({ ...req, body: JSON.stringify(o.body!(i++)) }) } : {}),
    }],
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.duration ?? 10 }),
    ...(o.overallRate !== undefined ? { overallRate: o.overallRate } : {}),
  };
  const startMs = Date.now();
  const r: AutocannonResult = await autocannon(opts);
  const endMs = Date.now();
  const seconds = (endMs - startMs) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(s.count);
  return {
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds,
    okPerSecond: r['2xx'] / seconds,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    startMs,
    endMs,
    statusCodes,
  };
}

/** "2xx 12000, 4xx 3, errors 0" style summary of what went wrong, or '' when nothing did. */
export function problems(r: LoadResult): string {
  const bad = Object.entries(r.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}×${c}`);
  if (r.errors) bad.push(`${r.errors} errors`);
  if (r.timeouts) bad.push(`${r.timeouts} timeouts`);
  return bad.join(', ');
}

/**
 * Open-loop load at a constant rate: request i is due at start + i / rate and its latency is
 * counted from that moment (a slow answer cannot hide later requests). autocannon's
 * overallRate sends each second's quota back to back at the start of the second, so at
 * "half load" it measures bursts at full speed; this spreads requests evenly instead.
 */
export async function constantRate(o: { url: string; path: string; headers: Record<string, string>; body: (i: number) => unknown; rate: number; seconds: number; connections: number }): Promise<LoadResult> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL(o.path, o.url);
  const total = Math.round(o.rate * o.seconds);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let settled = 0;
  const startMs = Date.now();
  await new Promise<void>((resolve) => {
    const fire = (i: number) => {
      const due = startMs + (i * 1000) / o.rate;
      const payload = JSON.stringify(o.body(i));
      const req = request(target, { method: 'POST', agent, headers: { ...o.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        res.on('end', () => {
          const code = String(res.statusCode ?? 0);
          statusCodes[code] = (statusCodes[code] ?? 0) + 1;
          latencies.push(Date.now() - due);
          if (++settled === total) resolve();
        });
      });
      req.on('error', () => {
        errors++;
        if (++settled === total) resolve();
      });
      req.end(payload);
    };
    const tick = () => {
      const dueNow = Math.min(total, Math.floor(((Date.now() - startMs) * o.rate) / 1000) + 1);
      while (sent < dueNow) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const endMs = Date.now();
  agent.destroy();
  const ok = Object.entries(statusCodes).filter(([c]) => c.startsWith('2')).reduce((a, [, n]) => a + n, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  const seconds = (endMs - startMs) / 1000;
  return {
    ok, non2xx: latencies.length - ok, errors, timeouts: 0, seconds, okPerSecond: ok / seconds,
    latency: { p50: pct(50), p90: pct(90), p99: pct(99), max: sorted[sorted.length - 1] ?? NaN, mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) },
    startMs, endMs, statusCodes,
  };
}
