import tseslint from 'typescript-eslint';

/**
 * Layer boundaries (issue 8 item 8). The folders are the architecture:
 *   src/main/      the composition root: the only code that imports adapters/ and workers/
 *   src/domain/    state machine and post services: no API layer, no workers, no Fastify
 *   adapters/<p>/  one platform each: its own folder and the platform kit (src/platform/) only
 *   workers/       publish runs: never an adapter directly (they come through the runtime), never the API
 * tests/unit/boundaries.test.ts proves each rule fails on a violation.
 */
const rootOnly = { regex: '^(\\.\\./)+(adapters|workers)(/|$)', message: 'Only the composition root (src/main/) imports adapters/ and workers/; take what you need as a parameter.' };
const noMain = { regex: '^(\\.\\./)+main/', message: 'src/main/ is the composition root; nothing imports it.' };
const infra = ['ioredis', 'bullmq', 'fastify', 'fastify-type-provider-zod', '@fastify/swagger', '@fastify/swagger-ui'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'bench/results.json'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through src/config only.' },
      ],
    },
  },
  {
    files: ['src/config/**', 'tests/**', 'bench/**', 'scripts/**', 'src/main/cli.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [rootOnly, noMain] }] },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: infra.map((name) => ({ name, message: 'Domain code does not depend on the HTTP framework or the queue library.' })),
        patterns: [
          rootOnly, noMain,
          { regex: '^\\.\\./api(/|$)', message: 'Domain code does not import the API layer; the API calls the domain.' },
        ],
      }],
    },
  },
  {
    files: ['adapters/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: infra.map((name) => ({ name, message: 'Adapters never touch Redis, queues or the API: the worker does.' })),
        patterns: [{ regex: '^\\.\\./(?!\\.\\./src/platform/)', message: 'An adapter imports its own folder and the platform kit (src/platform/) only.' }],
      }],
    },
  },
  {
    files: ['adapters/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!src/platform/)', message: 'The registry imports adapter folders and the platform kit (src/platform/) only.' }],
      }],
    },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./(adapters|src/api|src/main)(/|$)', message: 'Workers reach adapters through the platform runtime and never import the API layer.' },
        ],
      }],
    },
  },
);
