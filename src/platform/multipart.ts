/**
 * multipart/form-data bodies (RFC 7578) that never copy a file: `multipartBody` sends byte
 * parts as they are (no Blob, no joined buffer); `streamedMultipart` streams the file part
 * from its source, last, after the fields, with the total length computed up front.
 */
import { randomBytes } from 'node:crypto';
import type { StreamBody } from './http.ts';

export type MultipartField =
  | { name: string; value: string }
  | { name: string; data: Uint8Array; filename: string; contentType: string };

/** A file part read from a stream of `size` bytes (e.g. MediaSource.stream()). */
export interface StreamedFile {
  name: string;
  filename: string;
  contentType: string;
  size: number;
  stream: AsyncIterable<Uint8Array>;
}

const quote = (s: string) => s.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
const newBoundary = () => `----herald${randomBytes(12).toString('hex')}`;
const fileHead = (boundary: string, f: { name: string; filename: string; contentType: string }) =>
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.name)}"; filename="${quote(f.filename)}"\r\nContent-Type: ${f.contentType}\r\n\r\n`);

function fieldParts(boundary: string, fields: MultipartField[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    if ('value' in f) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.name)}"\r\n\r\n${f.value}\r\n`));
    } else {
      parts.push(fileHead(boundary, f), f.data, Buffer.from('\r\n'));
    }
  }
  return parts;
}

export function multipartBody(fields: MultipartField[]): { contentType: string; parts: Uint8Array[] } {
  const boundary = newBoundary();
  const parts = fieldParts(boundary, fields);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, parts };
}

/**
 * Fields first, then the file streamed as the last part (platforms read the fields before
 * the file, and only the last part can be streamed with a length known in advance).
 */
export function streamedMultipart(fields: MultipartField[], file: StreamedFile): { contentType: string; body: StreamBody } {
  const boundary = newBoundary();
  const head = [...fieldParts(boundary, fields), fileHead(boundary, file)];
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.reduce((n, p) => n + p.byteLength, 0) + file.size + tail.byteLength;
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield* head;
    yield* file.stream;
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: { stream: stream(), length } };
}
