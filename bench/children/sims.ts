/**
 * Platform simulators for the bench, in their own process: the X simulator (limits raised
 * for load: no per-user/app budget, no duplicate window, video ready after one STATUS poll),
 * the YouTube simulator, and a media host serving generated video of any size
 * (`/media/<bytes>.mp4`, Content-Length set, Range supported, nothing held in memory).
 */
import http from 'node:http';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { createYouTubeSimulator } from '../../adapters/youtube/simulator.ts';
import { params, send, serve } from './ipc.ts';

const DAY = 24 * 60 * 60 * 1000;
const { youtube: withYouTube } = params<{ youtube?: boolean }>();

const x = createXSimulator({
  accessTokenTtlMs: DAY, postsPer15Min: 1e9, appPostsPer24h: 1e9, duplicateWindowMs: 0, statusPollsUntilReady: 1, checkAfterSecs: 1,
});
const xOrigin = await x.server.start();
const yt = withYouTube ? createYouTubeSimulator({ accessTokenTtlMs: DAY }) : undefined;
const ytOrigin = yt ? await yt.server.start() : undefined;

// Byte i of a generated file is (i * 31 + 7) & 0xff (as generatedSource in src/platform/media.ts): period 256.
const PIECE = 64 * 1024;
const pattern = Buffer.alloc(PIECE + 256);
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff;
let mediaBytesServed = 0;

const media = http.createServer((req, res) => {
  const m = /^\/media\/(\d+)\.mp4$/.exec(req.url ?? '');
  if (req.method !== 'GET' || !m) {
    res.writeHead(404).end();
    return;
  }
  const size = Number(m[1]);
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range) {
    start = Number(range[1]);
    if (range[2]) end = Math.min(end, Number(range[2]));
    if (start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { 'content-type': 'video/mp4', 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' });
  } else {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size, 'accept-ranges': 'bytes' });
  }
  let pos = start;
  const pump = () => {
    while (pos <= end) {
      const n = Math.min(PIECE, end - pos + 1);
      const off = pos % 256;
      const chunk = pattern.subarray(off, off + n);
      pos += n;
      mediaBytesServed += n;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => {
    pos = end + 1;
  });
  pump();
});
await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
const addr = media.address();
const mediaOrigin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

serve({
  xAccount: () => x.createDemoAccount(),
  ytAccount: () => {
    if (!yt) throw new Error('started without the YouTube simulator');
    return yt.createDemoAccount();
  },
  stats: () => ({
    tweets: x.state.tweets.length,
    xMedia: [...x.state.media.values()].map((m) => ({ id: m.id, bytes: m.receivedBytes, state: m.state })),
    ytVideos: yt ? [...yt.state.videos.values()].map((v) => ({ id: v.id, bytes: v.bytes })) : [],
    mediaBytesServed,
  }),
});
send('ready', { xOrigin, ytOrigin, mediaOrigin });
