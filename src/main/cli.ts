/**
 * herald all | api | worker [--platforms x,linkedin]
 * Reads the environment once (src/config/env.ts), starts the requested roles, and shuts
 * down gracefully on SIGTERM / SIGINT.
 */
import pino from 'pino';
import { REGISTRY } from '../../adapters/registry.ts';
import { ConfigError, configVariables, loadConfig } from '../config/env.ts';
import { startHerald, type Herald } from './herald.ts';
import { PLATFORMS, type PlatformName } from '../platform/port.ts';
import { adapterMap } from '../platform/registry.ts';
import { RedisPolicyError } from '../store/redis.ts';
import { narrate, prepareSandbox, sandboxBanner, seedSandbox, type Sandbox } from '../sandbox/sandbox.ts';

const HELP = `Herald: schedule once, publish everywhere.

Usage: herald [all|api|worker] [--platforms x,linkedin,youtube] [--help]

  all      API and workers in one process (default; the sandbox default)
  api      HTTP API only (stateless; run several behind a load balancer)
  worker   publish workers and the sweeper; --platforms limits which queues it serves

Environment (validated at start; a bad value names the variable and exits 1):
${configVariables(REGISTRY).map((v) => `  ${v.name.padEnd(26)} ${v.help.replaceAll('`', '')}`).join('\n')}

Enabled platforms: ${[...adapterMap(REGISTRY).keys()].join(', ')}
Docs: README.md; the running API serves /docs and /openapi.json.
`;

function parseArgs(argv: string[]) {
  let role: 'all' | 'api' | 'worker' = 'all';
  let platforms: PlatformName[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h' || a === 'help') return { help: true as const };
    if (a === 'all' || a === 'api' || a === 'worker') role = a;
    else if (a === '--platforms' || a.startsWith('--platforms=')) {
      const v = a.includes('=') ? a.split('=')[1]! : argv[++i] ?? '';
      const list = v.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = list.filter((p) => !(PLATFORMS as readonly string[]).includes(p));
      if (bad.length || list.length === 0) throw new Error(`--platforms: unknown platform(s) ${bad.join(', ') || '(none given)'}; known: ${PLATFORMS.join(', ')}`);
      platforms = list as PlatformName[];
    } else throw new Error(`unknown argument "${a}"; see herald --help`);
  }
  return { help: false as const, role, platforms };
}

async function main() {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  let config;
  try {
    config = loadConfig(process.env, REGISTRY);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, redact: { paths: ['*.accessToken', '*.refreshToken', '*.credentials', 'req.headers.authorization'], censor: '[redacted]' } });
  const adapters = adapterMap(REGISTRY);
  const enabled = [...adapters.keys()];
  const workerPlatforms = args.platforms?.filter((p) => {
    if (!adapters.has(p)) log.warn(`platform ${p} has no adapter on this Herald; ignoring it`);
    return adapters.has(p);
  });

  let sandbox: Awaited<ReturnType<typeof prepareSandbox>> | undefined;
  if (config.mode === 'sandbox') sandbox = await prepareSandbox(config, REGISTRY);

  let herald: Herald | undefined;
  let starting: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new work; finishing or handing back in-flight jobs');
    const hard = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000);
    hard.unref();
    try {
      // A signal during start-up: let the start finish (it may own a redis-server child), then close.
      const started = (await starting.catch(() => undefined)) as Herald | undefined;
      await (herald ?? started)?.close();
      await (sandbox as Sandbox | undefined)?.stop();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    const start = startHerald({
      config, log, adapters,
      roles: { api: args.role !== 'worker', worker: args.role !== 'api' },
      ...(workerPlatforms ? { workerPlatforms } : {}),
      ...(sandbox ? { onDeliveryChange: narrate(log) } : {}),
    });
    starting = start;
    herald = await start;
  } catch (err) {
    await sandbox?.stop();
    if (err instanceof RedisPolicyError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  if (stopping) return;
  if (sandbox && herald.url) {
    const seed = await seedSandbox(herald, sandbox);
    process.stdout.write(sandboxBanner(herald.url, seed) + '\n');
  } else if (herald.url) {
    log.info({ url: herald.url, mode: config.mode, role: args.role }, 'Herald API listening');
  }
  if (herald.workers) log.info({ platforms: workerPlatforms ?? enabled, concurrency: config.workerConcurrency }, 'publish workers running');

}

main().catch((err) => {
  process.stderr.write(`Herald failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
