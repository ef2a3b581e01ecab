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
import { domainToASCII } from 'node:url';

export const MAX_WEIGHTED_LENGTH = 280;
const SCALE = 100;
const DEFAULT_WEIGHT = 200;
const URL_WEIGHT = 23 * SCALE;
const LIGHT_RANGES: readonly [number, number][] = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
/** twitter-text refuses URLs longer than this (protocol included). */
const MAX_URL_LENGTH = 4096;
/** A DNS label, punycode-encoded, is 1–63 characters (RFC 1035); longer "domains" are not URLs. */
const MAX_LABEL_LENGTH = 63;
const MAX_TCO_SLUG_LENGTH = 40;

// Top-level domains twitter-text recognises (its tld_lib, generated from the IANA root zone).
// A bare domain such as "example.com" is a URL only when it ends in one of these.
const GENERIC_TLDS = `
  aaa aarp abarth abb abbott abbvie abc able abogado abudhabi academy accenture accountant accountants aco active
  actor adac ads adult aeg aero aetna afamilycompany afl africa agakhan agency aig aigo airbus airforce airtel akdn
  alfaromeo alibaba alipay allfinanz allstate ally alsace alstom americanexpress americanfamily amex amfam amica
  amsterdam analytics android anquan anz aol apartments app apple aquarelle arab aramco archi army arpa art arte asda
  asia associates athleta attorney auction audi audible audio auspost author auto autos avianca aws axa azure baby
  baidu banamex bananarepublic band bank bar barcelona barclaycard barclays barefoot bargains baseball basketball
  bauhaus bayern bbc bbt bbva bcg bcn beats beauty beer bentley berlin best bestbuy bet bharti bible bid bike bing
  bingo bio biz black blackfriday blanco blockbuster blog bloomberg blue bms bmw bnl bnpparibas boats boehringer bofa
  bom bond boo book booking boots bosch bostik boston bot boutique box bradesco bridgestone broadway broker brother
  brussels budapest bugatti build builders business buy buzz bzh cab cafe cal call calvinklein cam camera camp
  cancerresearch canon capetown capital capitalone car caravan cards care career careers cars cartier casa case caseih
  cash casino cat catering catholic cba cbn cbre cbs ceb center ceo cern cfa cfd chanel channel charity chase chat
  cheap chintai chloe christmas chrome chrysler church cipriani circle cisco citadel citi citic city cityeats claims
  cleaning click clinic clinique clothing cloud club clubmed coach codes coffee college cologne com comcast commbank
  community company compare computer comsec condos construction consulting contact contractors cooking cookingchannel
  cool coop corsica country coupon coupons courses cpa credit creditcard creditunion cricket crown crs cruise cruises
  csc cuisinella cymru cyou dabur dad dance data date dating datsun day dclk dds deal dealer deals degree delivery
  dell deloitte delta democrat dental dentist desi design dev dhl diamonds diet digital direct directory discount
  discover dish diy dnp docs doctor dodge dog doha domains doosan dot download drive dtv dubai duck dunlop duns dupont
  durban dvag dvr earth eat eco edeka edu education email emerck energy engineer engineering enterprises epost epson
  equipment ericsson erni esq estate esurance etisalat eurovision eus events everbank exchange expert exposed express
  extraspace fage fail fairwinds faith family fan fans farm farmers fashion fast fedex feedback ferrari ferrero fiat
  fidelity fido film final finance financial fire firestone firmdale fish fishing fit fitness flickr flights flir
  florist flowers flsmidth fly foo food foodnetwork football ford forex forsale forum foundation fox free fresenius
  frl frogans frontdoor frontier ftr fujitsu fujixerox fun fund furniture futbol fyi gal gallery gallo gallup game
  games gap garden gay gbiz gdn gea gent genting george ggee gift gifts gives giving glade glass gle global globo
  gmail gmbh gmo gmx godaddy gold goldpoint golf goo goodhands goodyear goog google gop got gov grainger graphics
  gratis green gripe grocery group guardian gucci guge guide guitars guru hair hamburg hangout haus hbo hdfc hdfcbank
  health healthcare help helsinki here hermes hgtv hiphop hisamitsu hitachi hiv hkt hockey holdings holiday homedepot
  homegoods homes homesense honda honeywell horse hospital host hosting hot hoteles hotels hotmail house how hsbc htc
  hughes hyatt hyundai ibm icbc ice icu ieee ifm iinet ikano imamat imdb immo immobilien inc industries infiniti info
  ing ink institute insurance insure int intel international intuit investments ipiranga irish iselect ismaili ist
  istanbul itau itv iveco iwc jaguar java jcb jcp jeep jetzt jewelry jio jlc jll jmp jnj jobs joburg jot joy jpmorgan
  jprs juegos juniper kaufen kddi kerryhotels kerrylogistics kerryproperties kfh kia kim kinder kindle kitchen kiwi
  koeln komatsu kosher kpmg kpn krd kred kuokgroup kyoto lacaixa ladbrokes lamborghini lamer lancaster lancia lancome
  land landrover lanxess lasalle lat latino latrobe law lawyer lds lease leclerc lefrak legal lego lexus lgbt liaison
  lidl life lifeinsurance lifestyle lighting like lilly limited limo lincoln linde link lipsy live living lixil llc
  llp loan loans locker locus loft lol london lotte lotto love lpl lplfinancial ltd ltda lundbeck lupin luxe luxury
  macys madrid maif maison makeup man management mango map market marketing markets marriott marshalls maserati mattel
  mba mcd mcdonalds mckinsey med media meet melbourne meme memorial men menu meo merckmsd metlife miami microsoft mil
  mini mint mit mitsubishi mlb mls mma mobi mobile mobily moda moe moi mom monash money monster montblanc mopar mormon
  mortgage moscow moto motorcycles mov movie movistar msd mtn mtpc mtr museum mutual mutuelle nab nadex nagoya name
  nationwide natura navy nba nec net netbank netflix network neustar new newholland news next nextdirect nexus nfl ngo
  nhk nico nike nikon ninja nissan nissay nokia northwesternmutual norton now nowruz nowtv nra nrw ntt nyc obi
  observer off office okinawa olayan olayangroup oldnavy ollo omega one ong onion onl online onyourside ooo open
  oracle orange org organic orientexpress origins osaka otsuka ott ovh page pamperedchef panasonic panerai paris pars
  partners parts party passagens pay pccw pet pfizer pharmacy phd philips phone photo photography photos physio piaget
  pics pictet pictures pid pin ping pink pioneer pizza place play playstation plumbing plus pnc pohl poker politie
  porn post pramerica praxi press prime pro prod productions prof progressive promo properties property protection pru
  prudential pub pwc qpon quebec quest qvc racing radio raid read realestate realtor realty recipes red redstone
  redumbrella rehab reise reisen reit reliance ren rent rentals repair report republican rest restaurant review
  reviews rexroth rich richardli ricoh rightathome ril rio rip rmit rocher rocks rodeo rogers room rsvp rugby ruhr run
  rwe ryukyu saarland safe safety sakura sale salon samsclub samsung sandvik sandvikcoromant sanofi sap sapo sarl sas
  save saxo sbi sbs sca scb schaeffler schmidt scholarships school schule schwarz science scjohnson scor scot search
  seat secure security seek select sener services ses seven sew sex sexy sfr shangrila sharp shaw shell shia shiksha
  shoes shop shopping shouji show showtime shriram silk sina singles site ski skin sky skype sling smart smile sncf
  soccer social softbank software sohu solar solutions song sony soy space spiegel sport spot spreadbetting srl srt
  stada staples star starhub statebank statefarm statoil stc stcgroup stockholm storage store stream studio study
  style sucks supplies supply support surf surgery suzuki swatch swiftcover swiss sydney symantec systems tab taipei
  talk taobao target tatamotors tatar tattoo tax taxi tci tdk team tech technology tel telecity telefonica temasek
  tennis teva thd theater theatre tiaa tickets tienda tiffany tips tires tirol tjmaxx tjx tkmaxx tmall today tokyo
  tools top toray toshiba total tours town toyota toys trade trading training travel travelchannel travelers
  travelersinsurance trust trv tube tui tunes tushu tvs ubank ubs uconnect unicom university uno uol ups vacations
  vana vanguard vegas ventures verisign vermögensberater vermögensberatung versicherung vet viajes video vig viking
  villas vin vip virgin visa vision vista vistaprint viva vivo vlaanderen vodka volkswagen volvo vote voting voto
  voyage vuelos wales walmart walter wang wanggou warman watch watches weather weatherchannel webcam weber website wed
  wedding weibo weir whoswho wien wiki williamhill win windows wine winners wme wolterskluwer woodside work works
  world wow wtc wtf xbox xerox xfinity xihuan xin xperia xxx xyz yachts yahoo yamaxun yandex yodobashi yoga yokohama
  you youtube yun zappos zara zero zip zippo zone zuerich дети католик ком москва онлайн орг рус сайт קום ابوظبي
  اتصالات ارامكو العليان بازار بيتك شبكة عرب كاثوليك كوم موبايلي موقع همراه कॉम नेट संगठन คอม 닷넷 닷컴 삼성 グーグル クラウド コム
  ストア セール ファッション ポイント みんな 世界 中信 中文网 企业 佛山 信息 健康 八卦 公司 公益 商城 商店 商标 嘉里 嘉里大酒店 在线 大众汽车 大拿 天主教 娱乐 家電 工行 广东 微博 慈善 我爱你 手机 手表
  招聘 政务 政府 新闻 时尚 書籍 机构 淡马锡 游戏 点看 珠宝 移动 组织机构 网址 网店 网站 网络 联通 诺基亚 谷歌 购物 通販 集团 電訊盈科 飞利浦 食品 餐厅 香格里拉
`;
const COUNTRY_TLDS = `
  ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs bt bv bw by bz
  ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er es et eu fi fj fk fm fo fr
  ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp
  ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt
  mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw
  sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tp tr tt tv tw tz
  ua ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw ελ ευ бг бел ею қаз мкд мон рф срб укр გე հայ الاردن
  البحرين الجزائر السعودية المغرب امارات ایران بارت بھارت پاکستان ڀارت تونس سودان سورية عراق عمان فلسطين قطر مصر
  مليسيا موريتانيا भारत भारतम् भारोत বাংলা ভারত ভাৰত ਭਾਰਤ ભારત ଭାରତ இந்தியா இலங்கை சிங்கப்பூர் భారత్ ಭಾರತ ഭാരതം ලංකා
  ไทย ລາວ 한국 中国 中國 台湾 台灣 新加坡 澳門 香港
`;

const alternation = (list: string) =>
  list.split(/\s+/).filter(Boolean).sort((a, b) => b.length - a.length).join('|');

// Character classes, written as regex source (String.raw keeps the escapes for RegExp).
const INVALID = String.raw`\uFFFE\uFEFF\uFFFF`;
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
const INVALID_CHARS = new RegExp(`[${INVALID}]`);
// Emoji sequences as Unicode defines them (RGI_Emoji: ZWJ sequences, modifiers, flags, keycaps).
// Built from a string because TypeScript checks the `v` flag against the compile target.
const EMOJI_SOURCE = String.raw`\p{RGI_Emoji}`;

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

/** URLs as X finds them in text (already NFC-normalized), in order of appearance. */
export function findUrls(text: string): UrlSpan[] {
  if (!text.includes('.')) return [];
  const spans: UrlSpan[] = [];
  for (const m of text.matchAll(new RegExp(URL_SOURCE, 'gi'))) {
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

export interface ParsedText {
  /** Characters as X counts them (weighted units / 100). */
  weightedLength: number;
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
  const hasInvalidCharacters = INVALID_CHARS.test(normalized);
  return {
    weightedLength,
    valid: !hasInvalidCharacters && weightedLength > 0 && weightedLength <= MAX_WEIGHTED_LENGTH,
    hasInvalidCharacters,
    urls: urls.length,
  };
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
