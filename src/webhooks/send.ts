/**
 * POST one signed event to a receiver with the media fetcher's SSRF rules: the URL's syntax
 * is checked, and the address is checked inside the socket's DNS lookup (the address checked
 * is the address connected to). Redirects are not followed: a 3xx is a failed attempt.
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from '../media/fetch.ts';
import { checkUrlSyntax, type PrivateAccess } from '../media/url-policy.ts';

export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error?: string; timedOut?: boolean };

/** Bytes of a receiver's answer read before it is dropped (we only need the status). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function sendEvent(url: string, body: string, headers: Record<string, string>, opts: { allowPrivate: PrivateAccess; timeoutMs: number }): Promise<SendResult> {
  const problem = checkUrlSyntax(url, opts.allowPrivate);
  if (problem) return Promise.resolve({ ok: false, status: null, error: `webhook URL ${problem}` });
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = mod.request(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Herald-Webhooks/1', 'content-length': String(Buffer.byteLength(body)), ...headers },
      lookup: guardedLookup(opts.allowPrivate),
      agent: false,
    });
    // The whole exchange, not just socket idleness: a receiver that trickles bytes also times out.
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, status: null, timedOut: true, error: `no answer within ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (c: Buffer) => {
        read += c.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      const finish = () => done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (err) => done({ ok: false, status: null, error: err.message }));
    req.end(body);
  });
}
