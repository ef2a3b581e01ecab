/**
 * A webhook receiver for tests: records every request per path and answers from a script
 * (a status code, or 'hang' to never answer), then 200 once the script is used up.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url(path: string): string;
  received(path: string): Received[];
  /** Answers for the next requests to `path`, in order. */
  script(path: string, answers: (number | 'hang')[]): void;
  /** Answer every request to `path` with this from now on. */
  always(path: string, answer: number): void;
  waitFor(path: string, pred: (r: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const log = new Map<string, Received[]>();
  const scripts = new Map<string, (number | 'hang')[]>();
  const fixed = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      log.set(path, [...(log.get(path) ?? []), { path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }]);
      const answer = scripts.get(path)?.shift() ?? fixed.get(path) ?? 200;
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path) => `${origin}${path}`,
    received: (path) => log.get(path) ?? [],
    script: (path, answers) => scripts.set(path, [...answers]),
    always: (path, answer) => fixed.set(path, answer),
    async waitFor(path, pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const got = log.get(path) ?? [];
        if (pred(got)) return got;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`receiver ${path}: expected requests did not arrive; got ${JSON.stringify((log.get(path) ?? []).map((r) => r.body.slice(0, 120)))}`);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
