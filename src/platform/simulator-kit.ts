/**
 * A small HTTP server kit for platform simulators: routing, a request log, and fault
 * injection that tests (in this process or another one, through /__sim/*) can arm:
 *   status            answer with a canned status/headers/body instead of the handler
 *   drop_before       destroy the socket without running the handler (nothing happened)
 *   drop_after_commit run the handler (the state changes), then destroy the socket
 *   hang_after_commit run the handler, then never answer (client times out)
 *   delay             wait `ms` before handling
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Parsed JSON body, or undefined when it is not JSON. */
  json(): unknown;
  /** Parsed x-www-form-urlencoded body. */
  form(): URLSearchParams;
  /** Parsed multipart/form-data body (fields and files). */
  multipart(): Promise<FormData>;
  /** The simulator's own origin, for URLs it hands out (upload URLs, session URIs). */
  origin: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export type Fault =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { type: 'drop_before' }
  | { type: 'drop_after_commit' }
  | { type: 'hang_after_commit' }
  | { type: 'delay'; ms: number };

export interface FaultRule {
  method?: string;
  /** Exact path, or a path prefix ending in `*`. */
  path?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  fault: Fault;
}

export interface SimCall {
  method: string;
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  status: number | 'dropped' | 'hung';
  at: number;
}

export interface SimServer {
  route(method: string, pattern: string, handler: SimHandler): void;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
  origin(): string;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  calls: SimCall[];
  /** Calls matching method + path (exact or prefix with `*`). */
  callsTo(method: string, path: string): SimCall[];
  /** Request-body bytes received so far, counting requests still arriving (streaming tests). */
  bytesReceived(): number;
}

interface Route {
  method: string;
  segments: string[];
  handler: SimHandler;
}

const MAX_BODY = 64 * 1024 * 1024;

function matchPath(pattern: string[], path: string): Record<string, string> | undefined {
  const parts = path.split('/');
  if (parts.length !== pattern.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) {
      if (v === '') return undefined;
      params[p.slice(1)] = decodeURIComponent(v);
    } else if (p !== v) return undefined;
  }
  return params;
}

function pathMatches(rulePath: string | undefined, path: string): boolean {
  if (!rulePath) return true;
  if (rulePath.endsWith('*')) return path.startsWith(rulePath.slice(0, -1));
  return rulePath === path;
}

export function createSimServer(opts: { name: string; describeState?: () => unknown }): SimServer {
  const routes: Route[] = [];
  const faults: (FaultRule & { left: number })[] = [];
  const calls: SimCall[] = [];
  const hung = new Set<http.ServerResponse>();
  let server: http.Server | undefined;
  let origin = '';

  function takeFault(method: string, path: string): Fault | undefined {
    const i = faults.findIndex((f) => (!f.method || f.method === method) && pathMatches(f.path, path));
    if (i < 0) return undefined;
    const rule = faults[i]!;
    rule.left -= 1;
    if (rule.left <= 0) faults.splice(i, 1);
    return rule.fault;
  }

  function send(res: http.ServerResponse, out: SimResponse) {
    const headers: Record<string, string> = { ...out.headers };
    let payload: Buffer | undefined;
    if (out.body === undefined || out.body === null) payload = undefined;
    else if (Buffer.isBuffer(out.body)) payload = out.body;
    else if (typeof out.body === 'string') payload = Buffer.from(out.body);
    else {
      payload = Buffer.from(JSON.stringify(out.body));
      headers['content-type'] ??= 'application/json';
    }
    res.writeHead(out.status, headers);
    res.end(payload);
  }

  async function control(req: SimRequest): Promise<SimResponse> {
    if (req.path === '/__sim/faults' && req.method === 'POST') {
      const rule = req.json() as FaultRule;
      faults.push({ ...rule, left: rule.times ?? 1 });
      return { status: 204 };
    }
    if (req.path === '/__sim/faults' && req.method === 'DELETE') {
      faults.length = 0;
      return { status: 204 };
    }
    if (req.path === '/__sim/calls' && req.method === 'GET') return { status: 200, body: calls };
    if (req.path === '/__sim/state' && req.method === 'GET') return { status: 200, body: opts.describeState?.() ?? {} };
    return { status: 404, body: { error: 'unknown simulator control path' } };
  }

  let received = 0;
  async function handle(nodeReq: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(nodeReq.url ?? '/', origin);
    const method = nodeReq.method ?? 'GET';
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of nodeReq) {
      size += (c as Buffer).length;
      received += (c as Buffer).length;
      if (size > MAX_BODY) {
        send(res, { status: 413, body: { error: 'simulator body limit' } });
        return;
      }
      chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks);
    const sreq: SimRequest = {
      method,
      path: url.pathname,
      params: {},
      query: url.searchParams,
      headers: nodeReq.headers,
      body,
      origin,
      json() {
        try {
          return JSON.parse(body.toString('utf8'));
        } catch {
          return undefined;
        }
      },
      form() {
        return new URLSearchParams(body.toString('utf8'));
      },
      async multipart() {
        const r = new Request(origin, { method: 'POST', headers: { 'content-type': String(nodeReq.headers['content-type'] ?? '') }, body });
        return r.formData();
      },
    };
    const call: SimCall = { method, path: url.pathname, query: url.search, headers: nodeReq.headers, bytes: body.length, status: 0, at: Date.now() };
    calls.push(call);
    if (calls.length > 5000) calls.splice(0, calls.length - 5000);

    if (url.pathname.startsWith('/__sim/')) {
      const out = await control(sreq);
      call.status = out.status;
      send(res, out);
      return;
    }

    const fault = takeFault(method, url.pathname);
    if (fault?.type === 'drop_before') {
      call.status = 'dropped';
      nodeReq.socket.destroy();
      return;
    }
    if (fault?.type === 'status') {
      call.status = fault.status;
      send(res, { status: fault.status, ...(fault.headers ? { headers: fault.headers } : {}), body: fault.body });
      return;
    }
    if (fault?.type === 'delay') await new Promise((r) => setTimeout(r, fault.ms));

    let out: SimResponse = { status: 404, body: { error: `no simulated route ${method} ${url.pathname}` } };
    for (const r of routes) {
      if (r.method !== method) continue;
      const params = matchPath(r.segments, url.pathname);
      if (!params) continue;
      sreq.params = params;
      try {
        out = await r.handler(sreq);
      } catch (err) {
        out = { status: 500, body: { error: `simulator ${opts.name} crashed: ${(err as Error).message}` } };
      }
      break;
    }
    if (fault?.type === 'drop_after_commit') {
      call.status = 'dropped';
      nodeReq.socket.destroy();
      return;
    }
    if (fault?.type === 'hang_after_commit') {
      call.status = 'hung';
      hung.add(res);
      return;
    }
    call.status = out.status;
    send(res, out);
  }

  return {
    calls,
    route(method, pattern, handler) {
      routes.push({ method, segments: pattern.split('/'), handler });
    },
    async start(port = 0, host = '127.0.0.1') {
      server = http.createServer((req, res) => {
        handle(req, res).catch((err) => {
          if (!res.headersSent) send(res, { status: 500, body: { error: String(err) } });
        });
      });
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve) => server!.listen(port, host, resolve));
      const addr = server.address() as AddressInfo;
      origin = `http://${host}:${addr.port}`;
      return origin;
    },
    async stop() {
      for (const res of hung) res.socket?.destroy();
      hung.clear();
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
    origin: () => origin,
    injectFault(rule) {
      faults.push({ ...rule, left: rule.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    callsTo(method, path) {
      return calls.filter((c) => c.method === method && pathMatches(path, c.path));
    },
    bytesReceived: () => received,
  };
}

/** Opaque random token for simulators. */
export function simToken(prefix: string): string {
  return `${prefix}_${Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url')}`;
}

/** The shape every platform simulator module exports, used by sandbox mode and tests. */
export interface PlatformSimulator {
  server: SimServer;
  /** Create an account on the simulated platform and return what POST /v1/accounts needs. */
  createDemoAccount(): {
    externalId: string;
    handle?: string;
    credentials: { accessToken: string; refreshToken?: string; expiresAt?: string; [k: string]: unknown };
    settings?: Record<string, unknown>;
  };
  /** Expire one access token (every one without an argument): the next call with it answers 401. */
  expireAccessToken(token?: string): void;
}

/** One rate-limit window as a platform reports it. `reset`: epoch seconds when it ends. */
export interface RateWindow {
  limit: number;
  remaining: number;
  reset: number;
  /** This request went over the budget. */
  over: boolean;
}

/**
 * Fixed-window rate-limit budgets for simulators, keyed by whatever the platform counts
 * (user + endpoint group, app, IP). Each platform writes the window with its own headers.
 */
export function createRateBudget(now: () => number = Date.now) {
  const windows = new Map<string, { start: number; used: number }>();
  return {
    /** Count one request against `key` (unless `take` is false) and report the window. */
    consume(key: string, limit: number, windowMs: number, take = true): RateWindow {
      let w = windows.get(key);
      if (!w || now() >= w.start + windowMs) windows.set(key, (w = { start: now(), used: 0 }));
      if (take) w.used += 1;
      return { limit, remaining: Math.max(0, limit - w.used), reset: Math.ceil((w.start + windowMs) / 1000), over: w.used > limit };
    },
  };
}

/** The header styles platforms use for a rate window. */
export const rateLimitHeaders = {
  /** X: x-rate-limit-limit / -remaining / -reset (epoch seconds); other prefixes for the 24-hour windows. */
  x: (w: RateWindow, prefix = 'x-rate-limit'): Record<string, string> => ({
    [`${prefix}-limit`]: String(w.limit), [`${prefix}-remaining`]: String(w.remaining), [`${prefix}-reset`]: String(w.reset),
  }),
  /** Bluesky: RateLimit-Limit / -Remaining / -Reset (epoch seconds) and RateLimit-Policy `limit;w=seconds`. */
  ratelimit: (w: RateWindow, windowMs: number): Record<string, string> => ({
    'ratelimit-limit': String(w.limit), 'ratelimit-remaining': String(w.remaining), 'ratelimit-reset': String(w.reset),
    'ratelimit-policy': `${w.limit};w=${Math.round(windowMs / 1000)}`,
  }),
  /** Mastodon: X-RateLimit-Limit / -Remaining / -Reset (ISO 8601). */
  mastodon: (w: RateWindow): Record<string, string> => ({
    'x-ratelimit-limit': String(w.limit), 'x-ratelimit-remaining': String(w.remaining), 'x-ratelimit-reset': new Date(w.reset * 1000).toISOString(),
  }),
};
