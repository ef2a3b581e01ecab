/**
 * Validation of a post against every target platform's manifest and rules. All-or-nothing:
 * the API accepts a post only when this returns no issue.
 */
import { mediaKindOf } from '../platform/media.ts';
import { optionIssues } from '../platform/define.ts';
import type { MediaKind, PlatformAdapter, PlatformName } from '../platform/port.ts';
import type { Account } from '../store/accounts.ts';
import type { MediaInput } from '../store/posts.ts';
import { checkUrlSyntax, type PrivateAccess } from '../media/url-policy.ts';

export interface PostInput {
  text: string;
  media?: MediaInput[];
  targets: { accountId: string; text?: string; media?: MediaInput[]; options?: Record<string, unknown> }[];
  scheduledAt?: string;
  timezone?: string;
}

export interface Issue {
  target?: number;
  accountId?: string;
  platform?: PlatformName;
  field: string;
  code: string;
  message: string;
}

export interface KnownMedia {
  mimeType: string;
  bytes: number;
}

export interface ValidationDeps {
  accounts: Map<string, Account>;
  adapters: ReadonlyMap<PlatformName, PlatformAdapter>;
  creatorId: string;
  /** Uploaded media of this creator, by id. */
  media: Map<string, KnownMedia>;
  allowPrivateUrls: PrivateAccess;
}

const EXT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', m4v: 'video/mp4', pdf: 'application/pdf',
};

/** Best guess of a media item's type before it is fetched (uploaded media: known exactly). */
function guessType(m: MediaInput, deps: ValidationDeps): KnownMedia | undefined {
  if (m.mediaId) return deps.media.get(m.mediaId);
  const ext = m.url && URL.canParse(m.url) ? new URL(m.url).pathname.split('.').pop()?.toLowerCase() : undefined;
  const t = ext ? EXT_TYPES[ext] : undefined;
  return t ? { mimeType: t, bytes: 0 } : undefined;
}

function mediaIssues(media: MediaInput[], field: string, deps: ValidationDeps, adapter: PlatformAdapter): Issue[] {
  const issues: Issue[] = [];
  const m = adapter.manifest;
  const name = m.displayName;
  if (media.length > m.media.maxItems) {
    issues.push({ field, code: 'too_many_media', message: `${name} accepts at most ${m.media.maxItems} media items; got ${media.length}` });
  }
  const kinds = new Map<MediaKind, number>();
  media.forEach((item, i) => {
    const f = `${field}.${i}`;
    if (!item.url && !item.mediaId) {
      issues.push({ field: f, code: 'media_source_required', message: 'give either url or mediaId' });
      return;
    }
    if (item.url) {
      const problem = checkUrlSyntax(item.url, deps.allowPrivateUrls);
      if (problem) issues.push({ field: `${f}.url`, code: 'media_url_not_allowed', message: problem });
    }
    if (item.mediaId && !deps.media.has(item.mediaId)) {
      issues.push({ field: `${f}.mediaId`, code: 'media_not_found', message: `no uploaded media ${item.mediaId}` });
      return;
    }
    const known = guessType(item, deps);
    if (!known) return; // checked again when the worker fetches it
    const kind = mediaKindOf(known.mimeType);
    const limits = kind ? m.media.kinds[kind] : undefined;
    if (!kind || !limits) {
      issues.push({ field: f, code: 'media_type_not_supported', message: `${name} does not accept ${known.mimeType}` });
      return;
    }
    if (!limits.mimeTypes.includes(known.mimeType)) {
      issues.push({ field: f, code: 'media_type_not_supported', message: `${name} accepts ${kind} as ${limits.mimeTypes.join(', ')}; got ${known.mimeType}` });
    }
    if (known.bytes > limits.maxBytes) {
      issues.push({ field: f, code: 'media_too_large', message: `${name} accepts ${kind} up to ${limits.maxBytes} bytes; this one is ${known.bytes}` });
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  });
  for (const [kind, n] of kinds) {
    const max = m.media.kinds[kind]?.maxCount ?? 0;
    if (n > max) issues.push({ field, code: 'too_many_media', message: `${name} accepts at most ${max} ${kind} item(s) per post; got ${n}` });
  }
  if (m.media.mixing === 'exclusive' && kinds.size > 1) {
    issues.push({ field, code: 'media_mix_not_supported', message: `${name} does not mix ${[...kinds.keys()].join(' and ')} in one post` });
  }
  if (m.media.required && media.length === 0) {
    issues.push({ field, code: 'media_required', message: `${name} posts need media` });
  }
  return issues;
}

/**
 * Media of each thread item, for platforms with `capabilities.threads`: their options take
 * `thread: [{text, media?}]` (ThreadItem in the port). Checked like the post's own media.
 */
export function threadMediaOf(options: unknown): MediaInput[][] {
  const thread = (options as { thread?: unknown } | null | undefined)?.thread;
  if (!Array.isArray(thread)) return [];
  return thread.map((item) => {
    const media = (item as { media?: unknown } | null)?.media;
    return Array.isArray(media) ? (media as MediaInput[]) : [];
  });
}

export function validatePost(input: PostInput, deps: ValidationDeps, now = new Date()): Issue[] {
  const issues: Issue[] = [];
  if (input.scheduledAt !== undefined && Date.parse(input.scheduledAt) < now.getTime() - 5 * 60_000) {
    issues.push({ field: 'scheduledAt', code: 'scheduled_in_past', message: 'scheduledAt is more than 5 minutes in the past; omit it to publish now' });
  }
  const seen = new Set<string>();
  input.targets.forEach((t, i) => {
    const base = `targets.${i}`;
    const account = deps.accounts.get(t.accountId);
    if (!account || account.creatorId !== deps.creatorId) {
      issues.push({ target: i, accountId: t.accountId, field: `${base}.accountId`, code: 'account_not_found', message: `no account ${t.accountId}` });
      return;
    }
    const at = { target: i, accountId: t.accountId, platform: account.platform };
    if (seen.has(t.accountId)) {
      issues.push({ ...at, field: `${base}.accountId`, code: 'duplicate_target', message: 'each account may be targeted once per post' });
      return;
    }
    seen.add(t.accountId);
    if (account.status === 'reauth_required') {
      issues.push({ ...at, field: `${base}.accountId`, code: 'account_reauth_required', message: `reconnect this ${account.platform} account first (${account.reauthReason ?? 'its token expired'})` });
    }
    const adapter = deps.adapters.get(account.platform);
    if (!adapter) {
      issues.push({ ...at, field: `${base}.accountId`, code: 'platform_not_available', message: `${account.platform} is not enabled on this Herald` });
      return;
    }
    const m = adapter.manifest;
    const text = t.text ?? input.text;
    const media = t.media ?? input.media ?? [];
    const textField = t.text !== undefined ? `${base}.text` : 'text';
    const mediaField = t.media !== undefined ? `${base}.media` : 'media';
    // The same schema the worker parses options with before every run (src/platform/define.ts).
    const parsed = optionIssues(m.options, t.options);
    for (const oi of parsed.issues) issues.push({ ...at, ...oi, field: `${base}.${oi.field}` });
    if (m.text.required && text.trim() === '' && media.length === 0) {
      issues.push({ ...at, field: textField, code: 'text_required', message: `${m.displayName} posts need text` });
    }
    const length = m.text.count(text);
    if (length > m.text.maxLength) {
      issues.push({ ...at, field: textField, code: 'text_too_long', message: `is ${length} ${m.text.unit}; ${m.displayName} allows ${m.text.maxLength}` });
    }
    for (const mi of mediaIssues(media, mediaField, deps, adapter)) issues.push({ ...at, ...mi });
    if (m.capabilities.threads && parsed.ok) {
      threadMediaOf(parsed.options).forEach((items, n) => {
        if (items.length === 0) return;
        for (const mi of mediaIssues(items, `${base}.options.thread.${n}.media`, deps, adapter)) issues.push({ ...at, ...mi });
      });
    }
    if (adapter.validate && parsed.ok) {
      for (const ai of adapter.validate({ text, media: media.map((x, index) => ({ index, ...x })), options: parsed.options })) {
        const field = ai.field === 'text' ? textField : ai.field === 'media' ? mediaField : ai.field.startsWith('options') ? `${base}.${ai.field}` : ai.field;
        issues.push({ ...at, field, code: ai.code, message: ai.message });
      }
    }
  });
  return issues;
}
