import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

// One randomBytes call per 4 KiB of id randomness instead of one per id (a hot path at accept).
let pool = randomBytes(4096);
let poolAt = 0;
function nextRandomByte(): number {
  if (poolAt === pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

/**
 * Time-ordered ids: prefix, 9 base32 chars of milliseconds, 8 random base32 chars.
 * Sorting ids sorts by creation time.
 */
export function newId(prefix: 'pst' | 'dlv' | 'acc' | 'crt' | 'med' | 'whk' | 'evt'): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 9; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (let i = 0; i < 8; i++) tail += ALPHABET[nextRandomByte() % 32];
  return `${prefix}_${time}${tail}`;
}

const ID_RE = /^(pst|dlv|acc|crt|med|whk|evt)_[0-9a-z]{17}$/;
export function isId(value: string, prefix?: string): boolean {
  return ID_RE.test(value) && (!prefix || value.startsWith(`${prefix}_`));
}
