/**
 * LinkedIn's "little" text format: `commentary` is markup, not plain text. Reserved
 * characters must be backslash-escaped or LinkedIn cuts or misreads the text (a bare `#`
 * starts a hashtag template, `@[Name](urn)` a mention, `(` … `)` a link target).
 * Source: Posts API "little text format"; Postiz `fixText`.
 */

/** `\ | { } @ [ ] ( ) < > # * _ ~`, the backslash first so it is escaped exactly once. */
const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/** Plain text → little-format text that LinkedIn shows exactly as written. */
export function escapeLittle(text: string): string {
  return text.replace(RESERVED, (c) => `\\${c}`);
}

/** Little-format text → what readers see (escapes removed). Used by the simulator. */
export function unescapeLittle(text: string): string {
  return text.replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');
}

/** Reserved characters left unescaped (LinkedIn would treat them as markup). */
export function unescapedReserved(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && /[\\|{}@[\]()<>#*_~]/.test(text[i + 1]!)) {
      i++;
      continue;
    }
    if (/[\\|{}@[\]()<>#*_~]/.test(c)) found.push(c);
  }
  return found;
}
