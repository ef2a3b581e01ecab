/**
 * multipart/form-data bodies built as a list of byte parts, so a large file part is sent
 * as it is (no copy into a Blob or a joined buffer). RFC 7578.
 */
import { randomBytes } from 'node:crypto';

export type MultipartField =
  | { name: string; value: string }
  | { name: string; data: Uint8Array; filename: string; contentType: string };

const quote = (s: string) => s.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));

export function multipartBody(fields: MultipartField[]): { contentType: string; parts: Uint8Array[] } {
  const boundary = `----herald${randomBytes(12).toString('hex')}`;
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    if ('value' in f) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.name)}"\r\n\r\n${f.value}\r\n`));
    } else {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.name)}"; filename="${quote(f.filename)}"\r\nContent-Type: ${f.contentType}\r\n\r\n`));
      parts.push(f.data);
      parts.push(Buffer.from('\r\n'));
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, parts };
}
