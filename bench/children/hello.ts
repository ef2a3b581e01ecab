/**
 * The Fastify limit: hello-world on the same Fastify version, in its own process like
 * Herald's API, with no logger (Herald logs only warnings in the bench).
 */
import Fastify from 'fastify';
import { params, send, serve } from './ipc.ts';

const { port } = params<{ port: number }>();
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port, host: '127.0.0.1' });
serve({});
send('ready', { port });
