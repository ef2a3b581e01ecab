/**
 * The no-op platform: an HTTP server that answers POST /2/tweets with 201 and a new id at
 * once, like X does on success, without checking anything. Herald's whole path (claim,
 * armed write, adapter, HTTP call, outcome) still runs; only the platform does no work.
 * It records the time of every write; a text containing `due:<ms>` gives the lateness
 * of that write (write time − scheduledAt) for the scheduling scenario.
 */
import http from 'node:http';
import { params, send, serve } from './ipc.ts';

const { port } = params<{ port: number }>();
let writes = 0;
let firstWriteAt = 0;
let lastWriteAt = 0;
let lateness: number[] = [];
let nextId = 1900000000000000000n;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    if (req.method === 'POST' && req.url === '/2/tweets') {
      let text = '';
      try {
        text = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown }).text ?? '');
      } catch {
        // answer anyway: the no-op platform accepts everything
      }
      writes++;
      firstWriteAt ||= now;
      lastWriteAt = now;
      const due = /due:(\d+)/.exec(text);
      if (due) lateness.push(now - Number(due[1]));
      const body = JSON.stringify({ data: { id: String((nextId += 1n)), text, edit_history_tweet_ids: [] } });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const body = JSON.stringify({ title: 'Not Found', detail: `no-op platform: ${req.method} ${req.url}`, status: 404 });
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => send('ready', { port }));

serve({
  stats: () => ({ writes, firstWriteAt, lastWriteAt, lateness }),
  reset: () => {
    writes = 0;
    firstWriteAt = 0;
    lastWriteAt = 0;
    lateness = [];
    return true;
  },
});
