import { describe, expect, it } from 'vitest';
import { xManifest } from '../../adapters/x/index.ts';
import { comparableText, findUrls, MAX_COUNTED_LENGTH, parseTweet } from '../../adapters/x/text.ts';

const count = (t: string) => parseTweet(t).weightedLength;

describe('X text counting (twitter-text v3)', () => {
  it('counts Latin characters as 1', () => {
    expect(count('This is a test.')).toBe(15);
    expect(count('A lié géts halfway arøünd')).toBe(25);
  });

  it('counts CJK characters as 2', () => {
    expect(count('故人西辞黄鹤楼')).toBe(14);
    expect(count('the故人')).toBe(7);
    expect(count('저찀쯿쿿')).toBe(8);
  });

  it('counts an emoji ZWJ family as one emoji of weight 2', () => {
    expect(count('👨‍👩‍👧‍👦')).toBe(2);
    expect(count('H🐱☺👨‍👩‍👧‍👦')).toBe(7);
    expect(parseTweet('👨‍👩‍👧‍👦'.repeat(140))).toMatchObject({ weightedLength: 280, valid: true });
  });

  it('counts skin-tone, flag and keycap sequences as 2', () => {
    expect(count('🙋🏽👨‍🎤')).toBe(4);
    expect(count('🇯🇵')).toBe(2);
    expect(count('1️⃣')).toBe(2);
    expect(count('Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴󠁧󠁢󠁥󠁮󠁧󠁿')).toBe(34);
  });

  it('normalizes to NFC before counting (NFD café counts 4)', () => {
    const nfd = 'cafe\u0301';
    expect(nfd.length).toBe(5);
    expect(count(nfd)).toBe(4);
    expect(count('Aשּׁ')).toBe(4);
  });

  it('counts general punctuation in the light ranges as 1', () => {
    expect(count('\u2000\u200A\u2010\u201F\u2032\u2037')).toBe(6);
    expect(count('\u2030')).toBe(2); // per mille sign sits between the light ranges
  });

  it('counts every URL as 23, with or without protocol', () => {
    expect(count('http://test.co')).toBe(23);
    expect(count('Hi http://test.co')).toBe(26);
    expect(count(`https://example.com/${'a'.repeat(200)}`)).toBe(23);
    expect(count('test.com')).toBe(23);
    expect(count('Test https://test.com test https://test.com test.com test')).toBe(86);
    expect(count('www.example.com/path?x=1')).toBe(23);
  });

  it('only takes bare domains with a known TLD, and not a lone name + country code', () => {
    expect(findUrls('readme.md index.js file.txt').map((u) => u.url)).toEqual([]);
    expect(findUrls('example.de').map((u) => u.url)).toEqual([]);
    expect(findUrls('www.example.de and t.co and foo.co.jp').map((u) => u.url)).toEqual(['www.example.de', 't.co', 'foo.co.jp']);
    expect(findUrls('example.de/path').map((u) => u.url)).toEqual(['example.de/path']);
    expect(findUrls('see example.com/a.').map((u) => u.url)).toEqual(['example.com/a']);
    expect(findUrls('ftp://www.example.com/').map((u) => u.url)).toEqual([]); // a bare domain may not follow "/"
    expect(findUrls('mail me@example.com').map((u) => u.url)).toEqual([]);
  });

  it('does not count a domain label longer than 63 characters as a URL', () => {
    expect(count(`${'randomurl'.repeat(7)}s.com`)).toBe(68);
    const cjk = 'あいうえおかきくけこ';
    expect(count(`${cjk.repeat(12)} http://${cjk.repeat(5)}あい.com`)).toBe(264);
    expect(count(`${cjk.repeat(12)} http://${cjk.repeat(5)}あいう.com`)).toBe(358);
  });

  it('puts the boundary at 280 weighted characters', () => {
    expect(parseTweet('x'.repeat(280))).toMatchObject({ weightedLength: 280, valid: true });
    expect(parseTweet('x'.repeat(281))).toMatchObject({ weightedLength: 281, valid: false });
    expect(parseTweet('の'.repeat(140)).valid).toBe(true);
    expect(parseTweet(`${'x'.repeat(279)}の`).valid).toBe(false);
    expect(parseTweet(`${'x'.repeat(257)} https://example.com/long`)).toMatchObject({ weightedLength: 281, valid: false });
    expect(parseTweet('').valid).toBe(false);
  });

  it('counts directional marks as 2 and still finds a URL with a Unicode TLD between them', () => {
    expect(parseTweet('\u2066\u202Ahttp://foobar.پاکستان/\u202C\u2069')).toMatchObject({ weightedLength: 31, valid: true });
  });

  it('marks U+FFFE, U+FEFF and U+FFFF as invalid', () => {
    expect(parseTweet('ABC\u202A\uFFFFABC\uFFFE')).toMatchObject({ weightedLength: 12, valid: false, hasInvalidCharacters: true });
    expect(parseTweet('hi\uFEFF').valid).toBe(false);
  });

  it('exposes the count through the manifest in X characters', () => {
    expect(xManifest.text.count('故人 https://example.com 👍')).toBe(2 * 2 + 1 + 23 + 1 + 2);
    expect(xManifest.text.maxLength).toBe(280);
  });

  it('reduces text to what survives t.co rewriting for matching', () => {
    expect(comparableText('Read https://example.com/a   now & then')).toBe('Read now & then');
    expect(comparableText('Read https://t.co/abc123 now &amp; then https://t.co/media1')).toBe('Read now & then');
    expect(comparableText('cafe\u0301')).toBe(comparableText('café'));
  });

  // The one timing assertion the house rules allow (issue 7 item 10): a loose bound on a
  // pathological input. Before the fix each of these took many seconds (297 KB: 35 s).
  describe('hostile input', () => {
    const labels = (total: number) => `${'あ'.repeat(62)}.`.repeat(Math.ceil(total / 63)).slice(0, total);
    const within = (ms: number, run: () => void) => {
      const started = performance.now();
      run();
      return performance.now() - started < ms;
    };

    it('refuses 297 KB of CJK-and-dot labels in well under a second, as at least its lower bound', () => {
      const text = labels(297_000);
      let parsed: ReturnType<typeof parseTweet> | undefined;
      expect(within(1000, () => (parsed = parseTweet(text)))).toBe(true);
      expect(parsed).toMatchObject({ valid: false, exact: false });
      expect(parsed!.weightedLength).toBeGreaterThan(280);
    });

    it('finds URLs in linear time in the longest text that can still be counted', () => {
      const text = labels(MAX_COUNTED_LENGTH);
      expect(within(1000, () => findUrls(text))).toBe(true);
      expect(within(1000, () => findUrls(`${text.slice(0, -40)} see example.com`))).toBe(true);
      expect(findUrls(`${text.slice(0, -40)} see example.com`).map((u) => u.url)).toEqual(['example.com']);
    });

    it('counts a long text of long links exactly and refuses one unit more without counting', () => {
      const urls = Array.from({ length: 11 }, (_, i) => `https://example.com/${String(i).padStart(4, '0')}${'a'.repeat(4060)}`);
      const text = `${urls.join(' ')} ok`;
      expect(parseTweet(text)).toMatchObject({ weightedLength: 11 * 23 + 10 + 3, exact: true, valid: true });
      expect(text.length).toBeLessThanOrEqual(MAX_COUNTED_LENGTH);
      expect(parseTweet('x'.repeat(MAX_COUNTED_LENGTH + 1))).toMatchObject({ exact: false, valid: false });
    });
  });
});

