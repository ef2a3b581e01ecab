/**
 * The media half of the LinkedIn simulator: Images, Documents and Videos (initializeUpload,
 * the upload URLs, multi-part video with ETags and finalizeUpload, status reads that move
 * PROCESSING to AVAILABLE). Rest.li error helpers live here too, so simulator.ts imports
 * them without a cycle.
 */
import { createHash } from 'node:crypto';
import type { SimHandler, SimRequest, SimResponse, SimServer } from '../../src/platform/simulator-kit.ts';
import { simToken } from '../../src/platform/simulator-kit.ts';

/** Videos are uploaded in 4 MiB parts [V videos-api]. */
const PART_BYTES = 4 * 1024 * 1024;

export interface SimAsset {
  urn: string;
  kind: 'image' | 'video' | 'document';
  owner: string;
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
  bytes: number;
  sig: string;
  expiresAt: number;
  parts: { firstByte: number; lastByte: number }[];
  etags: (string | undefined)[];
  partPuts: number[]; // PUTs received per part (index 0: the whole file)
  uploadToken: string;
  finalizedWith?: string[];
  polls: number;
  availableAt?: number; // images / documents: PROCESSING until then
}

export const err = (status: number, message: string, extra: Record<string, unknown> = {}): SimResponse => ({ status, body: { status, message, ...extra } });
export const header = (req: SimRequest, name: string) => [req.headers[name]].flat()[0];
export const jsonBody = (req: SimRequest) => (b => (b && typeof b === 'object' ? (b as Record<string, unknown>) : undefined))(req.json());
export const notMap = () => err(400, 'Request body could not be converted to data map', { code: 'ILLEGAL_ARGUMENT' });
export const missing = (field: string) => err(422, `ERROR :: ${field} :: field is required but not found and has no default value\n`);

/** Images and documents leave PROCESSING once their processing time is over. */
export function settle(a: SimAsset): SimAsset {
  if (a.status === 'PROCESSING' && a.availableAt !== undefined && a.availableAt <= Date.now()) a.status = 'AVAILABLE';
  return a;
}

export interface Member { id: string; name: string; organizations: Set<string> }
export interface Token { memberId: string; expiresAt: number; revoked: boolean; scope: string }
interface Who { member: Member; token: Token }

export interface MediaSimDeps {
  server: SimServer;
  assets: Map<string, SimAsset>;
  rest: (handler: (req: SimRequest, who: Who) => SimResponse) => SimHandler;
  authorize: (req: SimRequest) => Who | SimResponse;
  canActAs: (member: Member, urn: string) => boolean;
  forbidden: (what: string) => SimResponse;
  options: { uploadUrlTtlMs: number; mediaProcessingMs: number; videoPollsUntilAvailable: number; videoProcessingFails: boolean };
}

export function registerMediaRoutes(deps: MediaSimDeps): void {
  const { server, assets, rest, authorize, canActAs, forbidden } = deps;
  const o = deps.options;
  function newAsset(kind: SimAsset['kind'], owner: string, size: number, origin: string) {
    const prefix = { image: 'C4E10AQ', video: 'C5F10AQ', document: 'D4D10AQ' }[kind];
    const urn = `urn:li:${kind}:${prefix}${simToken('a').slice(2, 14).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const parts = kind === 'video'
      ? Array.from({ length: Math.ceil(size / PART_BYTES) }, (_, i) => ({ firstByte: i * PART_BYTES, lastByte: Math.min(size, (i + 1) * PART_BYTES) - 1 }))
      : [];
    const a: SimAsset = {
      urn, kind, owner, status: 'WAITING_UPLOAD', bytes: 0, sig: simToken('sig'), expiresAt: Date.now() + o.uploadUrlTtlMs, parts,
      etags: parts.map(() => undefined), partPuts: kind === 'video' ? parts.map(() => 0) : [0], uploadToken: parts.length > 1 ? simToken('ut') : '', polls: 0,
    };
    assets.set(urn, a);
    const base = `${origin}/dms-uploads/${encodeURIComponent(urn)}`;
    return { a, url: (part?: number) => `${base}${part === undefined ? '' : `/part/${part}`}?sig=${a.sig}` };
  }

  for (const kind of ['images', 'documents', 'videos'] as const) {
    const one = kind.slice(0, -1) as SimAsset['kind'];
    server.route('POST', `/rest/${kind}`, rest((req, { member }) => {
      const b = jsonBody(req);
      if (!b) return notMap();
      const action = req.query.get('action');
      if (action === 'finalizeUpload' && kind === 'videos') return finalize(b, member);
      if (action !== 'initializeUpload') return err(400, `unsupported action ${String(action)}`);
      const init = b.initializeUploadRequest as { owner?: string; fileSizeBytes?: number } | undefined;
      if (!init?.owner) return missing('/initializeUploadRequest/owner');
      if (!canActAs(member, init.owner)) return forbidden(`${kind}.initializeUpload for ${init.owner}`);
      if (kind !== 'videos') {
        const { a, url } = newAsset(one, init.owner, 0, req.origin);
        return { status: 200, body: { value: { uploadUrlExpiresAt: a.expiresAt, uploadUrl: url(), [one]: a.urn } } };
      }
      if (!Number.isInteger(init.fileSizeBytes) || init.fileSizeBytes! <= 0) return missing('/initializeUploadRequest/fileSizeBytes');
      const { a, url } = newAsset('video', init.owner, init.fileSizeBytes!, req.origin);
      const uploadInstructions = a.parts.map((p, i) => ({ uploadUrl: url(i), ...p }));
      return { status: 200, body: { value: { uploadUrlsExpireAt: a.expiresAt, video: a.urn, uploadInstructions, uploadToken: a.uploadToken } } };
    }));
  }

  function finalize(b: Record<string, unknown>, member: Member): SimResponse {
    const f = b.finalizeUploadRequest as { video?: string; uploadToken?: string; uploadedPartIds?: string[] } | undefined;
    const a = f?.video ? assets.get(f.video) : undefined;
    if (!a || a.kind !== 'video') return err(404, `video ${String(f?.video)} not found`);
    if (!canActAs(member, a.owner)) return forbidden('videos.finalizeUpload');
    if ((f!.uploadToken ?? '') !== a.uploadToken) return err(400, 'uploadToken does not match the upload');
    const ids = f!.uploadedPartIds ?? [];
    if (a.etags.some((e) => e === undefined) || ids.length !== a.etags.length || ids.some((id, i) => id !== a.etags[i])) {
      return err(400, 'uploadedPartIds must list the ETag of every uploaded part, in order');
    }
    if (a.finalizedWith) return { status: 200 };
    a.finalizedWith = ids;
    a.status = 'PROCESSING';
    return { status: 200 };
  }

  server.route('GET', '/rest/videos/:urn', rest((req, { member }) => {
    const a = assets.get(req.params.urn!);
    if (!a || a.kind !== 'video') return err(404, `video ${req.params.urn} not found`);
    if (!canActAs(member, a.owner)) return err(403, 'Accessing this video resource is forbidden. Please check your permissions for this resource');
    if (a.status === 'PROCESSING' && a.polls++ >= o.videoPollsUntilAvailable) a.status = o.videoProcessingFails ? 'PROCESSING_FAILED' : 'AVAILABLE';
    return { status: 200, body: { id: a.urn, owner: a.owner, status: a.status, ...(a.status === 'PROCESSING_FAILED' ? { processingFailureReason: 'Video is too short' } : {}) } };
  }));
  // A w_member_social token cannot read image or document status (write-only) [S Postiz];
  // a page admin's token (w_organization_social) reads its page's media.
  for (const kind of ['images', 'documents'] as const) {
    server.route('GET', `/rest/${kind}/:urn`, rest((req, { member, token }) => {
      const a = assets.get(req.params.urn!);
      if (!a || `${a.kind}s` !== kind) return err(404, `${kind.slice(0, -1)} ${req.params.urn} not found`);
      if (!token.scope.split(',').includes('w_organization_social') || !member.organizations.has(a.owner)) return forbidden(`${kind}.GET`);
      return { status: 200, body: { id: a.urn, owner: a.owner, status: settle(a).status } };
    }));
  }

  function upload(req: SimRequest, part: number | undefined): SimResponse {
    const who = authorize(req);
    if ('status' in who) return who;
    const a = assets.get(req.params.urn!);
    if (!a || req.query.get('sig') !== a.sig) return err(404, 'unknown upload URL');
    if (a.expiresAt <= Date.now()) return err(401, 'upload URL expired');
    if (part === undefined) {
      if (a.kind === 'video') return err(400, 'videos are uploaded in parts');
      a.partPuts[0]!++;
      a.bytes = req.body.length;
      a.status = 'PROCESSING';
      a.availableAt = Date.now() + o.mediaProcessingMs;
      return { status: 201 };
    }
    const range = a.parts[part];
    if (!range) return err(404, 'unknown part');
    if (req.body.length !== range.lastByte - range.firstByte + 1) return err(400, `part ${part} must be ${range.lastByte - range.firstByte + 1} bytes, got ${req.body.length}`);
    a.partPuts[part]!++;
    a.etags[part] = `"${createHash('md5').update(req.body).digest('hex')}"`;
    a.bytes = a.parts.reduce((n, r, i) => n + (a.etags[i] ? r.lastByte - r.firstByte + 1 : 0), 0);
    return { status: 200, headers: { etag: a.etags[part]! } };
  }
  server.route('PUT', '/dms-uploads/:urn', (req) => upload(req, undefined));
  server.route('PUT', '/dms-uploads/:urn/part/:n', (req) => upload(req, Number(req.params.n)));
}
