/**
 * The simulator's reading of LinkedIn's "little" text format, written from the docs (not from
 * the adapter's writer): what readers see, which hashtags, mentions and links LinkedIn makes.
 *   `\x`                      → the reserved character x, shown as written
 *   `{hashtag|\#|word}`       → a linked hashtag "#word"
 *   `@[Name](urn:li:person:…)` / `@[Name](urn:li:organization:…)` → a mention showing "Name"
 *   `http(s)://…` up to white space → a link, exactly as its characters stand (a backslash
 *                               inside is part of the link [S])
 *   any other reserved character → markup LinkedIn misreads (recorded in `unescaped`)
 * https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
 */

const RESERVED = '\\|{}@[]()<>#*_~';

export interface LittleReading {
  /** What readers see. */
  text: string;
  hashtags: string[];
  mentions: { name: string; urn: string }[];
  links: string[];
  /** Reserved characters left unescaped outside templates and links. */
  unescaped: string[];
}

const HASHTAG = /^\{hashtag\|\\#\|([^{}|\\]+)\}/;
const MENTION = /^@\[((?:\\.|[^\]\\])+)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)/;
const LINK = /^https?:\/\/\S+/;
const unescapeName = (s: string) => s.replace(/\\(.)/g, '$1');

export function readLittle(commentary: string): LittleReading {
  const r: LittleReading = { text: '', hashtags: [], mentions: [], links: [], unescaped: [] };
  let i = 0;
  while (i < commentary.length) {
    const rest = commentary.slice(i);
    const c = commentary[i]!;
    const atWordStart = i === 0 || /\s/.test(commentary[i - 1]!);
    let m: RegExpExecArray | null;
    if (c === '\\' && i + 1 < commentary.length && RESERVED.includes(commentary[i + 1]!)) {
      r.text += commentary[i + 1];
      i += 2;
    } else if ((m = HASHTAG.exec(rest))) {
      r.hashtags.push(m[1]!);
      r.text += `#${m[1]}`;
      i += m[0].length;
    } else if ((m = MENTION.exec(rest))) {
      const name = unescapeName(m[1]!);
      r.mentions.push({ name, urn: m[2]! });
      r.text += name;
      i += m[0].length;
    } else if (atWordStart && (m = LINK.exec(rest))) {
      const link = m[0].replace(/[.,;:!?'"]+$/, '');
      r.links.push(link);
      r.text += link;
      i += link.length;
    } else {
      if (RESERVED.includes(c)) r.unescaped.push(c);
      r.text += c;
      i++;
    }
  }
  return r;
}
