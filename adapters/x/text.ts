/**
 * X's character counting, as twitter-text v3 `parseTweet` does it (the counter X itself
 * uses). Facts from twitter-text (config/v3.json, parseTweet.js, extractUrlsWithIndices.js,
 * regexp/*.js); the code is ours.
 *
 * - Text is NFC-normalized first (an NFD "café" counts 4).
 * - Weight 100 for code points 0–4351, 8192–8205, 8208–8223, 8242–8247; 200 otherwise
 *   (CJK, most symbols, astral characters). scale = 100, so 280 chars = 28000 units.
 * - Every URL counts 23 characters (transformedURLLength), whatever its length.
 * - Every emoji sequence (ZWJ family, skin tone, flag, keycap) counts 2 in total.
 * - U+FFFE, U+FEFF, U+FFFF make the text invalid.
 */
import { findUrls, INVALID, MAX_URL_LENGTH } from './urls.ts';

export { findUrls, type UrlSpan } from './urls.ts';

export const MAX_WEIGHTED_LENGTH = 280;
const SCALE = 100;
const DEFAULT_WEIGHT = 200;
const URL_WEIGHT = 23 * SCALE;
const LIGHT_RANGES: readonly [number, number][] = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
const INVALID_CHARS = new RegExp(`[${INVALID}]`);
// Emoji sequences as Unicode defines them (RGI_Emoji: ZWJ sequences, modifiers, flags, keycaps).
// Built from a string because TypeScript checks the `v` flag against the compile target.
const EMOJI_SOURCE = String.raw`\p{RGI_Emoji}`;

/**
 * The longest NFC text (UTF-16 units) that can still be within 280 characters. Outside URLs
 * every unit counts at least 1 and an emoji sequence (at most 15 units) counts 2; a URL of up
 * to 4096 units counts 23, the most units per counted character. So 280 × 4096 / 23 units is
 * the ceiling, and a longer text is refused without looking for URLs in it.
 */
export const MAX_COUNTED_LENGTH = Math.floor((MAX_WEIGHTED_LENGTH * MAX_URL_LENGTH) / (URL_WEIGHT / SCALE));

export interface ParsedText {
  /**
   * Characters as X counts them (weighted units / 100). For a text over MAX_COUNTED_LENGTH,
   * a lower bound (every 4096 units count at least 23), and `exact` is false.
   */
  weightedLength: number;
  exact: boolean;
  /** Within (0, 280] and free of invalid characters. */
  valid: boolean;
  hasInvalidCharacters: boolean;
  urls: number;
}

function weightOf(codePoint: number): number {
  for (const [lo, hi] of LIGHT_RANGES) if (codePoint >= lo && codePoint <= hi) return SCALE;
  return DEFAULT_WEIGHT;
}

export function parseTweet(text: string): ParsedText {
  const normalized = text.normalize('NFC');
  const hasInvalidCharacters = INVALID_CHARS.test(normalized);
  if (normalized.length > MAX_COUNTED_LENGTH) {
    const weightedLength = Math.ceil((normalized.length * URL_WEIGHT) / SCALE / MAX_URL_LENGTH);
    return { weightedLength, exact: false, valid: false, hasInvalidCharacters, urls: 0 };
  }
  const urls = findUrls(normalized);
  const urlEnd = new Map(urls.map((u) => [u.start, u.end]));
  const emojiEnd = new Map<number, number>();
  for (const m of normalized.matchAll(new RegExp(EMOJI_SOURCE, 'gv'))) emojiEnd.set(m.index, m.index + m[0].length);
  let units = 0;
  let i = 0;
  while (i < normalized.length) {
    const u = urlEnd.get(i);
    if (u !== undefined) {
      units += URL_WEIGHT;
      i = u;
      continue;
    }
    const e = emojiEnd.get(i);
    if (e !== undefined) {
      units += DEFAULT_WEIGHT;
      i = e;
      continue;
    }
    const cp = normalized.codePointAt(i)!;
    units += weightOf(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  const weightedLength = units / SCALE;
  return {
    weightedLength,
    exact: true,
    valid: !hasInvalidCharacters && weightedLength > 0 && weightedLength <= MAX_WEIGHTED_LENGTH,
    hasInvalidCharacters,
    urls: urls.length,
  };
}

/** U+FFFE, U+FEFF or U+FFFF: X refuses the text whatever its length. */
export function hasInvalidCharacters(text: string): boolean {
  return INVALID_CHARS.test(text.normalize('NFC'));
}

/** Characters as X counts them. */
export function countWeighted(text: string): number {
  return parseTweet(text).weightedLength;
}

/**
 * The text of a post reduced to what survives X's rewriting, for matching a post we sent
 * against one X returns: NFC; `&amp;` `&lt;` `&gt;` unescaped (v2 returns them escaped);
 * every URL removed (X rewrites links to t.co and appends a t.co link for attached media);
 * whitespace collapsed.
 */
export function comparableText(text: string): string {
  const unescaped = text.normalize('NFC').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  let out = '';
  let pos = 0;
  for (const u of findUrls(unescaped)) {
    out += unescaped.slice(pos, u.start) + ' ';
    pos = u.end;
  }
  out += unescaped.slice(pos);
  return out.replace(/\s+/g, ' ').trim();
}
