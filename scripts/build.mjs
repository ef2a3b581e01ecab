// Bundles Herald (src, adapters, workers) into dist/herald.js; npm packages stay external.
// Written to a temporary file and renamed, so a process starting meanwhile never reads half a file.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';

const out = 'dist/herald.js';
const tmp = `dist/.herald.${process.pid}.js`;
try {
  await build({
    entryPoints: ['src/main/cli.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', sourcemap: true, outfile: tmp, logLevel: 'warning',
  });
  renameSync(`${tmp}.map`, `${out}.map`);
  renameSync(tmp, out);
} catch (err) {
  rmSync(tmp, { force: true });
  rmSync(`${tmp}.map`, { force: true });
  throw err;
}
