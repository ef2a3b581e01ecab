/**
 * Serving /metrics: open by default, behind `Authorization: Bearer <METRICS_TOKEN>` when
 * that is set. The API serves it on its own port; a worker-only process serves it on
 * METRICS_PORT with the small server below (it has no API to hang it on).
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { safeEqual, sha256 } from '../store/crypto.ts';
import type { HeraldMetrics } from './metrics.ts';

/** True when the request may read the metrics (no token configured, or the right bearer). */
export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return m !== null && safeEqual(sha256(m[1]!), sha256(token));
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(o: { metrics: HeraldMetrics; token?: string; host: string; port: number; log: Logger }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    if (!metricsAllowed(req.headers.authorization, o.token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('send Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    o.metrics.render().then(
      (body) => res.writeHead(200, { 'content-type': o.metrics.contentType() }).end(body),
      (err: unknown) => {
        o.log.error({ err }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed; see the log\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
