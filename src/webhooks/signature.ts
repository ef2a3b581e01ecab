/**
 * `Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` — the
 * receiver recomputes v1 over the raw body and rejects old timestamps (replays).
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SIGNATURE_HEADER = 'Herald-Signature';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
