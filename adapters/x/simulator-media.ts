/**
 * The media half of the X simulator: the dedicated v2 endpoints (initialize / append /
 * finalize), the command= style and one-shot image upload on POST /2/media/upload, STATUS
 * polling that moves pending → in_progress → succeeded|failed, and alt-text metadata.
 * Shared response helpers live here too so simulator.ts can import them without a cycle.
 */
import type { SimRequest, SimResponse } from '../../src/platform/simulator-kit.ts';

export interface SimUser { id: string; username: string; name: string }
export type SimMediaKind = 'image' | 'gif' | 'video';
export interface SimMedia {
  id: string; mediaKey: string; ownerId: string; mediaType: string; kind: SimMediaKind; totalBytes: number; receivedBytes: number;
  segmentSizes: number[]; finalized: boolean; state?: 'pending' | 'in_progress' | 'succeeded' | 'failed'; polls: number;
  failProcessing: boolean; altText?: string; expiresAt: number;
}

export const problem = (status: number, title: string, detail: string, type = 'about:blank', extra: object = {}): SimResponse => ({
  status, headers: { 'content-type': 'application/problem+json' }, body: { title, detail, type, status, ...extra },
});
export const invalid = (...messages: string[]) => problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.',
  'https://api.x.com/2/problems/invalid-request', { errors: messages.map((message) => ({ message, parameters: {} })) });
export const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

export type ApiRoute = (
  method: string, path: string, group: string, limit: number,
  handler: (req: SimRequest, user: SimUser) => SimResponse | Promise<SimResponse>,
) => void;

export interface MediaSimDeps {
  api: ApiRoute;
  state: { media: Map<string, SimMedia>; failNextProcessing: boolean };
  now: () => number;
  pollsUntilReady: number;
  checkAfterSecs: number;
}

const MB = 1024 * 1024;
const MEDIA_TTL_S = 86_400;
/** docs rate-limits: initialize / append / finalize 1,875 per 15 min per user; STATUS 1,000. */
const UPLOAD_LIMIT = 1875;
const STATUS_LIMIT = 1000;
const KIND_OF_TYPE: Record<string, SimMediaKind> = {
  'image/jpeg': 'image', 'image/pjpeg': 'image', 'image/png': 'image', 'image/webp': 'image', 'image/bmp': 'image',
  'image/tiff': 'image', 'image/gif': 'gif', 'video/mp4': 'video', 'video/webm': 'video', 'video/quicktime': 'video', 'video/mp2t': 'video',
};
const MAX_BYTES: Record<SimMediaKind, number> = { image: 5 * MB, gif: 15 * MB, video: 512 * MB };
const CATEGORIES = ['tweet_image', 'tweet_gif', 'tweet_video', 'amplify_video', 'dm_image', 'dm_gif', 'dm_video', 'subtitles'];

/** Fields of a multipart, JSON (base64 `media`) or urlencoded body. */
async function fieldsOf(req: SimRequest): Promise<{ get(k: string): string | undefined; media?: Buffer }> {
  const type = String(req.headers['content-type'] ?? '');
  const fields: Record<string, string> = {};
  let media: Buffer | undefined;
  if (type.startsWith('multipart/form-data')) {
    for (const [k, v] of await req.multipart()) {
      if (typeof v !== 'string') media = Buffer.from(await v.arrayBuffer());
      else if (k === 'media') media = Buffer.from(v, 'base64');
      else fields[k] = v;
    }
  } else if (type.startsWith('application/json')) {
    for (const [k, v] of Object.entries((req.json() ?? {}) as Record<string, unknown>)) {
      if (k === 'media' && typeof v === 'string') media = Buffer.from(v, 'base64');
      else if (typeof v === 'string' || typeof v === 'number') fields[k] = String(v);
    }
  } else {
    for (const [k, v] of req.form()) {
      if (k === 'media') media = Buffer.from(v, 'base64');
      else fields[k] = v;
    }
  }
  return { get: (k) => fields[k], media };
}

export function registerMediaRoutes(d: MediaSimDeps): void {
  let nextMediaId = 1912090619981471744n;

  const view = (m: SimMedia) => ({
    id: m.id, media_key: m.mediaKey, size: m.totalBytes, expires_after_secs: Math.max(0, Math.round((m.expiresAt - d.now()) / 1000)),
    ...(m.kind !== 'image' && m.state ? {
      processing_info: {
        state: m.state,
        ...(m.state === 'pending' || m.state === 'in_progress' ? { check_after_secs: d.checkAfterSecs } : {}),
        progress_percent: m.state === 'succeeded' ? 100 : Math.floor((100 * m.polls) / d.pollsUntilReady),
        ...(m.state === 'failed' ? { error: { code: 1, name: 'InvalidMedia', message: 'Unsupported video format' } } : {}),
      },
    } : {}),
  });
  const owned = (user: SimUser, id: string | undefined) => {
    const m = id ? d.state.media.get(id) : undefined;
    return m && m.ownerId === user.id ? m : undefined;
  };

  function init(user: SimUser, mediaType = '', totalRaw = '', category?: string): SimResponse {
    const total = Number(totalRaw);
    let kind = KIND_OF_TYPE[mediaType];
    if (!kind) return invalid(`$.media_type: ${mediaType || '(missing)'} is not supported`);
    if (!Number.isInteger(total) || total <= 0) return invalid('$.total_bytes: a positive integer is required');
    if (category !== undefined && !CATEGORIES.includes(category)) return invalid(`$.media_category: ${category} is not supported`);
    if (category === 'tweet_gif') kind = 'gif';
    if (category === 'tweet_video' || category === 'amplify_video') kind = 'video';
    if (total > MAX_BYTES[kind]) return invalid(`File size exceeds ${MAX_BYTES[kind]} bytes.`);
    const id = String((nextMediaId += 1n));
    const mediaKey = `${kind === 'image' ? 3 : kind === 'gif' ? 16 : 7}_${id}`;
    d.state.media.set(id, {
      id, mediaKey, ownerId: user.id, mediaType, kind, totalBytes: total, receivedBytes: 0, segmentSizes: [],
      finalized: false, polls: 0, failProcessing: false, expiresAt: d.now() + MEDIA_TTL_S * 1000,
    });
    return ok({ data: { id, media_key: mediaKey, expires_after_secs: MEDIA_TTL_S } });
  }

  function append(user: SimUser, id: string | undefined, segmentRaw: string | undefined, bytes: Buffer | undefined): SimResponse {
    const m = owned(user, id);
    if (!m || m.finalized) return invalid(`media_id ${id ?? '(missing)'} is not an upload in progress`);
    const segment = Number(segmentRaw);
    if (!Number.isInteger(segment) || segment < 0 || segment > 999) return invalid('segment_index must be an integer from 0 to 999');
    if (segment !== m.segmentSizes.length) return invalid(`segment_index ${segment} is out of order; expected ${m.segmentSizes.length}`);
    if (!bytes || bytes.length === 0) return invalid('media is required');
    if (m.receivedBytes + bytes.length > m.totalBytes) return invalid(`received more bytes than total_bytes (${m.totalBytes})`);
    m.receivedBytes += bytes.length;
    m.segmentSizes.push(bytes.length);
    return ok({ data: { expires_at: Math.floor(m.expiresAt / 1000) } });
  }

  function finalize(user: SimUser, id: string | undefined): SimResponse {
    const m = owned(user, id);
    if (!m) return invalid(`media_id ${id ?? '(missing)'} was not found`);
    if (!m.finalized) {
      if (m.receivedBytes !== m.totalBytes) return invalid(`File size mismatch: received ${m.receivedBytes} of total_bytes ${m.totalBytes}`);
      m.finalized = true;
      // Images finish synchronously; GIF and video are processed asynchronously.
      m.state = m.kind === 'image' ? 'succeeded' : 'pending';
      if (m.kind !== 'image') [m.failProcessing, d.state.failNextProcessing] = [d.state.failNextProcessing, false];
    }
    return ok({ data: view(m) });
  }

  function status(user: SimUser, id: string | undefined): SimResponse {
    const m = owned(user, id);
    if (!m || !m.finalized) return invalid(`media_id ${id ?? '(missing)'} has no finalized upload`);
    if (m.state === 'pending' || m.state === 'in_progress') {
      m.polls += 1;
      m.state = m.polls >= d.pollsUntilReady ? (m.failProcessing ? 'failed' : 'succeeded') : 'in_progress';
    }
    return ok({ data: view(m) });
  }

  d.api('POST', '/2/media/upload/initialize', 'media', UPLOAD_LIMIT, (req, user) => {
    const b = (req.json() ?? {}) as Record<string, unknown>;
    return init(user, String(b.media_type ?? ''), String(b.total_bytes ?? ''), b.media_category === undefined ? undefined : String(b.media_category));
  });
  d.api('POST', '/2/media/upload/:id/append', 'media', UPLOAD_LIMIT, async (req, user) => {
    const f = await fieldsOf(req);
    return append(user, req.params.id, f.get('segment_index'), f.media);
  });
  d.api('POST', '/2/media/upload/:id/finalize', 'media', UPLOAD_LIMIT, (req, user) => finalize(user, req.params.id));
  d.api('GET', '/2/media/upload', 'media_status', STATUS_LIMIT, (req, user) =>
    req.query.get('command') === 'STATUS' ? status(user, req.query.get('media_id') ?? undefined) : invalid('command=STATUS is required'));
  // Command style (INIT / APPEND / FINALIZE) and the one-shot image upload share one path.
  d.api('POST', '/2/media/upload', 'media', UPLOAD_LIMIT, async (req, user) => {
    const f = await fieldsOf(req);
    const command = (f.get('command') ?? '').toUpperCase();
    if (command === 'INIT') return init(user, f.get('media_type'), f.get('total_bytes'), f.get('media_category'));
    if (command === 'APPEND') return append(user, f.get('media_id'), f.get('segment_index'), f.media);
    if (command === 'FINALIZE') return finalize(user, f.get('media_id'));
    if (command !== '') return invalid(`command ${command} is not supported`);
    if (!f.media) return invalid('media is required');
    const mediaType = f.get('media_type') ?? 'image/jpeg';
    if (KIND_OF_TYPE[mediaType] !== 'image') return invalid('the one-shot upload takes images only');
    const started = init(user, mediaType, String(f.media.length), f.get('media_category') ?? 'tweet_image');
    if (started.status !== 200) return started;
    const id = (started.body as { data: { id: string } }).data.id;
    append(user, id, '0', f.media);
    return finalize(user, id);
  });
  d.api('POST', '/2/media/metadata', 'media_metadata', 500, (req, user) => {
    const b = (req.json() ?? {}) as { id?: string; metadata?: { alt_text?: { text?: unknown } } };
    const m = owned(user, b.id);
    if (!m) return invalid(`$.id: media ${b.id ?? '(missing)'} was not found`);
    const alt = b.metadata?.alt_text?.text;
    if (alt !== undefined && (typeof alt !== 'string' || alt.length > 1000)) return invalid('$.metadata.alt_text.text: at most 1000 characters');
    if (typeof alt === 'string') m.altText = alt;
    return ok({ data: { id: m.id, associated_metadata: m.altText ? { alt_text: { text: m.altText } } : {} } });
  });
}
