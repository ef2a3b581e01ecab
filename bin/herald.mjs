#!/usr/bin/env node
// Runs Herald's compiled bundle (dist/herald.js, from `npm run build`) when it is at least
// as new as every source file; otherwise runs the TypeScript sources through tsx.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE, bundleIsFresh } from '../scripts/bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (bundleIsFresh(root)) {
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(join(root, BUNDLE)).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'main', 'cli.ts')).href);
}
