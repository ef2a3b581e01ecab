/**
 * Plain text → LinkedIn's "little" text format. `commentary` is markup, not plain text
 * [V little-text-format]:
 *   `#word`                    → the hashtag template `{hashtag|\#|word}` (a linked hashtag)
 *   `@[Name](urn:li:person:…)` / `@[Name](urn:li:organization:…)` → a mention (kept as markup)
 *   `http(s)://…`               → left exactly as written: a backslash inside a URL would
 *                                 become part of the link [S]
 *   every other reserved character `\ | { } @ [ ] ( ) < > # * _ ~` → backslash-escaped, or
 *   LinkedIn cuts or misreads the text [S Postiz fixText].
 * https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
 */

/** The backslash first, so it is escaped exactly once. */
const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

export const escapeReserved = (text: string) => text.replace(RESERVED, (c) => `\\${c}`);

/**
 * A mention, a URL (at the start of a word, up to white space) or a hashtag (a `#` not glued to a preceding letter,
 * digit, `_` or `&`, followed by letters, digits or `_`).
 */
const MARKUP = /@\[([^\]\n]+)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)|(?<!\S)(https?:\/\/\S+)|(?<![\p{L}\p{N}_&#])#([\p{L}\p{N}_]+)/gu;
/** Sentence punctuation after a URL is not part of it. */
const URL_TAIL = /[.,;:!?'"]+$/;

/** Plain text with hashtags, mentions and URLs → little-format commentary. */
export function toLittle(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(MARKUP)) {
    out += escapeReserved(text.slice(last, m.index));
    const [whole, name, urn, url, tag] = m;
    if (url !== undefined) {
      const link = url.replace(URL_TAIL, '');
      out += link + escapeReserved(url.slice(link.length));
    } else if (tag !== undefined) {
      out += `{hashtag|\\#|${tag}}`;
    } else {
      out += `@[${escapeReserved(name!)}](${urn})`;
    }
    last = m.index + whole.length;
  }
  return out + escapeReserved(text.slice(last));
}

/** What LinkedIn counts against the 3,000-character limit: the commentary as sent, in UTF-16 units. */
export const commentaryLength = (text: string) => toLittle(text).length;
