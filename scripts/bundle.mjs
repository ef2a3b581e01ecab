// Where the production bundle lives and whether it is current: used by bin/herald.mjs to
// choose what to run, and by the bench to report what it measured.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE = join('dist', 'herald.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/herald.js exists and is at least as new as every source file. */
export function bundleIsFresh(root) {
  const bundle = join(root, BUNDLE);
  return existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...['src', 'adapters', 'workers'].map((d) => newestSource(join(root, d))));
}
