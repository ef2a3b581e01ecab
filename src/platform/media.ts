/**
 * Media as adapters see it: a size, a type and a byte stream that can start at any
 * offset (for resumable uploads). Nothing here holds a whole file in memory.
 */
/** What a media item is, for limits and upload flows. */
export type MediaKind = 'image' | 'gif' | 'video' | 'document';

export interface MediaSource {
  size: number;
  mimeType: string;
  kind: MediaKind;
  /** A URL the platform itself can fetch (Herald's signed URL or the user's HTTPS URL). */
  publicUrl: string;
  altText?: string;
  /** Bytes from `start` (inclusive) to the end. */
  stream(start?: number): AsyncIterable<Uint8Array>;
  /** Release temporary files (called by the worker when the run ends). */
  cleanup?(): void;
}

export function mediaKindOf(mimeType: string): MediaKind | undefined {
  const t = mimeType.toLowerCase().split(';')[0]!.trim();
  if (t === 'image/gif') return 'gif';
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('video/')) return 'video';
  if (
    t === 'application/pdf' ||
    t === 'application/msword' ||
    t === 'application/vnd.ms-powerpoint' ||
    t.startsWith('application/vnd.openxmlformats-officedocument.')
  ) {
    return 'document';
  }
  return undefined;
}

/**
 * Re-slices a byte stream into chunks of exactly `chunkSize` bytes (the last may be
 * shorter). Holds at most one chunk plus one incoming piece at a time. With `reuse`, every
 * chunk is the same buffer, refilled: a chunk is then valid only until the next one is
 * requested (right for uploads that finish sending a chunk before reading the next), and
 * a large upload allocates one chunk instead of one per chunk.
 */
export async function* chunked(source: AsyncIterable<Uint8Array>, chunkSize: number, opts: { reuse?: boolean } = {}): AsyncGenerator<Uint8Array> {
  let buf = Buffer.allocUnsafe(chunkSize);
  let filled = 0;
  for await (const piece of source) {
    let offset = 0;
    while (offset < piece.byteLength) {
      const take = Math.min(chunkSize - filled, piece.byteLength - offset);
      buf.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === chunkSize) {
        yield buf;
        if (!opts.reuse) buf = Buffer.allocUnsafe(chunkSize);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buf.subarray(0, filled);
}

/** A source over bytes in memory (small images, tests). */
export function bufferSource(bytes: Uint8Array, mimeType: string, publicUrl = 'https://media.invalid/buffer'): MediaSource {
  const kind = mediaKindOf(mimeType);
  if (!kind) throw new Error(`unsupported media type ${mimeType}`);
  return {
    size: bytes.byteLength,
    mimeType,
    kind,
    publicUrl,
    async *stream(start = 0) {
      yield bytes.subarray(start);
    },
  };
}

/**
 * A deterministic generated source of any size (bench and streaming tests): byte i is
 * (i * 31 + 7) & 0xff, produced 64 KiB at a time.
 */
export function generatedSource(size: number, mimeType: string, publicUrl = 'https://media.invalid/generated'): MediaSource {
  const kind = mediaKindOf(mimeType);
  if (!kind) throw new Error(`unsupported media type ${mimeType}`);
  return {
    size,
    mimeType,
    kind,
    publicUrl,
    async *stream(start = 0) {
      const piece = 64 * 1024;
      for (let pos = start; pos < size; pos += piece) {
        const n = Math.min(piece, size - pos);
        const out = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) out[i] = ((pos + i) * 31 + 7) & 0xff;
        yield out;
      }
    },
  };
}
