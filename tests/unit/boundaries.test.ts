/**
 * The layer rules in eslint.config.js fail on a violation: each case lints one import
 * as if it were written in a file of that layer, through ESLint's own Node API.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import '${source}';\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries (eslint.config.js)', () => {
  it.each([
    ['domain code imports the API layer', 'src/domain/posts-service.ts', '../api/errors.ts'],
    ['domain code imports a worker', 'src/domain/post-changes.ts', '../../workers/run-delivery.ts'],
    ['domain code imports Fastify', 'src/domain/validate.ts', 'fastify'],
    ['the API imports an adapter', 'src/api/routes/posts.ts', '../../../adapters/x/index.ts'],
    ['the platform kit imports the adapter list', 'src/platform/runtime.ts', '../../adapters/registry.ts'],
    ['the sandbox imports a simulator directly', 'src/sandbox/sandbox.ts', '../../adapters/x/simulator.ts'],
    ['a service imports the composition root', 'src/sandbox/sandbox.ts', '../main/herald.ts'],
    ['an adapter imports the store', 'adapters/x/publish.ts', '../../src/store/index.ts'],
    ['an adapter imports another adapter', 'adapters/x/publish.ts', '../linkedin/client.ts'],
    ['an adapter imports Redis', 'adapters/x/client.ts', 'ioredis'],
    ['a worker imports an adapter', 'workers/run-delivery.ts', '../adapters/x/index.ts'],
    ['a worker imports the API layer', 'workers/run-delivery.ts', '../src/api/errors.ts'],
  ])('fails when %s', async (_what, filePath, source) => {
    expect(await importErrors(filePath, source)).toHaveLength(1);
  });

  it.each([
    ['the composition root imports the adapter list', 'src/main/cli.ts', '../../adapters/registry.ts'],
    ['the composition root imports a worker', 'src/main/herald.ts', '../../workers/publish-worker.ts'],
    ['an adapter imports the platform kit', 'adapters/x/publish.ts', '../../src/platform/http.ts'],
    ['an adapter imports its own folder', 'adapters/x/publish.ts', './client.ts'],
    ['the registry imports an adapter folder', 'adapters/registry.ts', './x/index.ts'],
    ['domain code imports the store', 'src/domain/posts-service.ts', '../store/index.ts'],
    ['a worker imports the domain', 'workers/outcome.ts', '../src/domain/delivery.ts'],
  ])('allows %s', async (_what, filePath, source) => {
    expect(await importErrors(filePath, source)).toEqual([]);
  });
});
