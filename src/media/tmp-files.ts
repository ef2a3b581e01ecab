/**
 * Temporary files under DATA_DIR/media/tmp: uploads being written and downloads spooled by
 * workers. A crash left them behind for good. Each name carries the host and pid that wrote
 * it, so a process starting up can remove the files of processes that are gone without
 * touching those of live ones (an API and a worker may share the directory).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomToken } from '../store/crypto.ts';

/** A file older than this belongs to no live transfer, whoever wrote it: 24 hours. */
const ABANDONED_AFTER_MS = 24 * 3600_000;
const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_');

export function tmpFileName(kind: 'up' | 'spool'): string {
  return `${kind}-${HOST}-${process.pid}-${randomToken(9)}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files whose writer is gone: this host's files of dead processes, and any
 * file untouched for 24 hours (other hosts, names from before this scheme). Returns the names.
 */
export function removeAbandonedTmpFiles(dir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^(?:up|spool)-(.+)-(\d+)-[A-Za-z0-9_-]+$/.exec(name);
    const path = join(dir, name);
    let abandoned = m !== null && m[1] === HOST && Number(m[2]) !== process.pid && !alive(Number(m[2]));
    if (!abandoned) {
      try {
        abandoned = now - statSync(path).mtimeMs > ABANDONED_AFTER_MS;
      } catch {
        continue;
      }
    }
    if (!abandoned) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}
