/**
 * Starts one real redis-server per test run on a free port (no mocks). Test files
 * isolate themselves with their own key prefix.
 */
import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisChild } from '../../src/store/redis-child.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let child: RedisChild | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), 'herald-test-redis-'));
  child = await startRedisServer({ dataDir: dir, appendOnly: false });
  project.provide('redisUrl', child.url);
}

export async function teardown() {
  await child?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
