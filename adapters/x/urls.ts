/**
 * URLs in a post as twitter-text v3 finds them (extractUrlsWithIndices.js, regexp/*.js); the
 * code is ours. Every URL counts 23 characters on X, so finding them is part of counting.
 *
 * twitter-text runs one regular expression over the whole text. Its domain part (up to 127
 * labels of up to 63 characters) is tried at every position, and where no top-level domain
 * can be reached every attempt scans and backtracks over thousands of characters: 300 KB of
 * "あ.あ.あ…" took 35 s. Here a linear pre-pass works out, for each position, whether a domain
 * could end in a known TLD from it (`domainStarts`), and the expression is run only at those
 * positions, so the result is the same and the time is linear in the text.
 */
import { domainToASCII } from 'node:url';
import { COUNTRY_TLDS, GENERIC_TLDS } from './tlds.ts';

/** twitter-text refuses URLs longer than this (protocol included). */
export const MAX_URL_LENGTH = 4096;
/** A DNS label, punycode-encoded, is 1–63 characters (RFC 1035); longer "domains" are not URLs. */
const MAX_LABEL_LENGTH = 63;
/** SUBDOMAIN{0,126} + DOMAIN_NAME below: at most 127 labels before the TLD. */
const MAX_LABELS = 127;
const MAX_TCO_SLUG_LENGTH = 40;

const alternation = (list: string) =>
  list.split(/\s+/).filter(Boolean).sort((a, b) => b.length - a.length).join('|');

// Character classes, written as regex source (String.raw keeps the escapes for RegExp).
export const INVALID = String.raw`\uFFFE\uFEFF\uFFFF`;
const PUNCT = String.raw`!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$`;
const SPACES = String.raw`\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;
const LATIN_ACCENTS = String.raw`\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF`;
const CYRILLIC = String.raw`\u0400-\u04FF`;

// Domains: labels of any non-punctuation, non-space character; the last label before the TLD
// may not contain "_" (subdomains may). A TLD must not run on into letters, digits, @, + or -.
// Labels are bounded at 63 characters and names at 127 labels (DNS limits): longer ones are
// never valid URLs, and the bounds keep long unspaced text (CJK) from costing quadratic time.
const DOMAIN_CHAR = `[^${PUNCT}${SPACES}${INVALID}]`;
const SUBDOMAIN = `(?:(?:${DOMAIN_CHAR}(?:[_-]|${DOMAIN_CHAR}){0,61})?${DOMAIN_CHAR}\\.)`;
const DOMAIN_NAME = `(?:(?:${DOMAIN_CHAR}(?:-|${DOMAIN_CHAR}){0,61})?${DOMAIN_CHAR}\\.)`;
const TLD_END = '(?=[^0-9a-zA-Z@+-]|$)';
const GTLD = `(?:(?:${alternation(GENERIC_TLDS)})${TLD_END})`;
const CCTLD = `(?:(?:${alternation(COUNTRY_TLDS)})${TLD_END})`;
const PUNYCODE_TLD = '(?:xn--[-0-9a-z]+)';
const ANY_TLD = `(?:${GTLD}|${CCTLD}|${PUNYCODE_TLD})`;
const DOMAIN = `(?:${SUBDOMAIN}{0,126}${DOMAIN_NAME}${ANY_TLD})`;

// Paths allow balanced parentheses two levels deep (Wikipedia-style) and must not end in
// punctuation, so "see example.com/a." leaves the final period out of the URL.
const PATH_CHAR = String.raw`[a-z${CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&${LATIN_ACCENTS}]`;
const PARENS = String.raw`\((?:${PATH_CHAR}+|(?:${PATH_CHAR}*\(${PATH_CHAR}+\)${PATH_CHAR}*))\)`;
const PATH_END = String.raw`(?:[+\-a-z${CYRILLIC}0-9=_#/${LATIN_ACCENTS}]|${PARENS})`;
const PATH = `(?:(?:${PATH_CHAR}*(?:${PARENS}${PATH_CHAR}*)*${PATH_END})|(?:@${PATH_CHAR}+/))`;
const QUERY_CHAR = String.raw`[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]`;
const QUERY_END = String.raw`[a-z0-9\-_&=#/]`;
// A URL may not be glued to a preceding letter, digit, @, $ or # (e.g. "#hashtag.com").
const PRECEDING = `(?:[^A-Za-z0-9@\uFF20$#\uFF03${INVALID}]|^)`;

// Groups: 1 preceding char, 2 URL, 3 protocol, 4 domain, 5 port, 6 path, 7 query.
const URL_SOURCE = `(${PRECEDING})((https?:\\/\\/)?(${DOMAIN})(?::([0-9]+))?(\\/${PATH}*)?(\\?${QUERY_CHAR}*${QUERY_END})?)`;
const ASCII_DOMAIN_SOURCE = String.raw`(?:[\-a-z0-9${LATIN_ACCENTS}]+\.)+${ANY_TLD}`;
/** "name.de" without protocol or path is not a link, but "t.co" and "name.tv" are. */
const SHORT_CCTLD_DOMAIN = new RegExp(`^${DOMAIN_NAME}${CCTLD}$`, 'i');
const SPECIAL_SHORT_DOMAIN = new RegExp(`^${DOMAIN_NAME}(?:(?:co|tv)(?=[^0-9a-zA-Z@]|$))$`, 'i');
const INVALID_BEFORE_BARE_DOMAIN = /[-_./]$/;
const TCO_URL = /^https?:\/\/t\.co\/([a-z0-9]+)/i;
// The same pieces, tried at one position (sticky), for the linear pre-pass.
const URL_AT = new RegExp(URL_SOURCE, 'iy');
const IS_DOMAIN_CHAR = new RegExp(`^${DOMAIN_CHAR}$`, 'i');
const IS_PRECEDING = new RegExp(`^[^A-Za-z0-9@\uFF20$#\uFF03${INVALID}]$`, 'i');
const TLD_AFTER_DOT = new RegExp(`\\.${ANY_TLD}`, 'iy');
const PROTOCOL_AT = /https?:\/\//iy;

export interface UrlSpan {
  /** UTF-16 offsets in the NFC-normalized text. */
  start: number;
  end: number;
  url: string;
}

function labelsFit(domain: string): boolean {
  for (const label of domain.split('.')) {
    const ascii = domainToAscii(label);
    if (ascii.length < 1 || ascii.length > MAX_LABEL_LENGTH) return false;
  }
  return true;
}

function domainToAscii(label: string): string {
  const ascii = domainToASCII(label);
  // A label Node refuses to encode is judged on its own length.
  return ascii === '' ? label : ascii;
}

const UNREACHABLE = Number.MAX_SAFE_INTEGER;

/**
 * For each position, whether URL_SOURCE's domain part can match there: a run of 1–127 labels
 * (1–63 characters, first and last a domain character, "_" or "-" inside; no "_" in the last
 * one) ending in a "." followed by a known TLD. Computed right to left in one pass: `need[i]`
 * is the fewest labels from i to such a TLD.
 */
function domainStarts(text: string): (i: number) => boolean {
  const n = text.length;
  const need = new Array<number>(n + 1).fill(UNREACHABLE);
  // Scanning right to left: where the current label ends (the "." after it, or -1), the
  // nearest "_" in it, and the fewest labels needed after that "." (UNREACHABLE if none).
  let labelEnd = -1;
  let underscore = -1;
  let afterDot = UNREACHABLE;
  let endsOk = false;
  for (let i = n - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === '.') {
      TLD_AFTER_DOT.lastIndex = i;
      labelEnd = i;
      underscore = -1;
      endsOk = false;
      afterDot = TLD_AFTER_DOT.test(text) ? 0 : (need[i + 1] ?? UNREACHABLE);
      continue;
    }
    const domainChar = IS_DOMAIN_CHAR.test(c);
    if (!domainChar && c !== '-' && c !== '_') {
      labelEnd = -1;
      continue;
    }
    if (labelEnd < 0) continue;
    if (i === labelEnd - 1) endsOk = domainChar;
    if (c === '_' && underscore < 0) underscore = i;
    if (!domainChar || !endsOk || labelEnd - i > MAX_LABEL_LENGTH) continue;
    // A TLD right after this label ends the domain here unless the label has a "_".
    const tail = afterDot === 0 && underscore >= 0 ? (need[labelEnd + 1] ?? UNREACHABLE) : afterDot;
    need[i] = tail >= MAX_LABELS ? UNREACHABLE : tail + 1;
  }
  const reaches = (i: number) => (need[i] ?? UNREACHABLE) <= MAX_LABELS;
  return (i) => {
    if (reaches(i)) return true;
    PROTOCOL_AT.lastIndex = i;
    return PROTOCOL_AT.test(text) && reaches(PROTOCOL_AT.lastIndex);
  };
}

/**
 * The matches `text.matchAll(new RegExp(URL_SOURCE, 'gi'))` gives, with the expression tried
 * only where its domain part can match: one preceding character (or the start of the text),
 * then a domain start.
 */
function* urlMatches(text: string): Generator<RegExpExecArray> {
  const canStart = domainStarts(text);
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (i < from) continue;
    const viaChar = IS_PRECEDING.test(text[i]!) && canStart(i + 1);
    if (!viaChar && !(i === 0 && canStart(0))) continue;
    URL_AT.lastIndex = i;
    const m = URL_AT.exec(text);
    if (!m) continue;
    from = URL_AT.lastIndex;
    yield m;
  }
}

/** URLs as X finds them in text (already NFC-normalized), in order of appearance. */
export function findUrls(text: string): UrlSpan[] {
  if (!text.includes('.')) return [];
  const spans: UrlSpan[] = [];
  for (const m of urlMatches(text)) {
    const before = m[1] ?? '';
    const url = m[2] ?? '';
    const protocol = m[3];
    const domain = m[4] ?? '';
    const path = m[6];
    const start = m.index + before.length;
    if (!labelsFit(domain) || (protocol ?? 'https://').length + url.length > MAX_URL_LENGTH) continue;
    if (protocol) {
      const tco = TCO_URL.exec(url);
      if (tco) {
        if ((tco[1] ?? '').length > MAX_TCO_SLUG_LENGTH) continue;
        spans.push({ start, end: start + tco[0].length, url: tco[0] });
      } else {
        spans.push({ start, end: start + url.length, url });
      }
      continue;
    }
    // Without a protocol only ASCII domains count, never right after "-", "_", "." or "/".
    if (INVALID_BEFORE_BARE_DOMAIN.test(before)) continue;
    let last: UrlSpan | undefined;
    for (const a of domain.matchAll(new RegExp(ASCII_DOMAIN_SOURCE, 'gi'))) {
      last = { start: start + a.index, end: start + a.index + a[0].length, url: a[0] };
      if (path || SPECIAL_SHORT_DOMAIN.test(a[0]) || !SHORT_CCTLD_DOMAIN.test(a[0])) spans.push(last);
    }
    if (last && path) {
      last.end = start + url.length;
      last.url = text.slice(last.start, last.end);
    }
  }
  return spans;
}
