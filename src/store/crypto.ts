import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Sealed with additional authenticated data (the owner, e.g. an account id): "v2.<base64(iv | tag | ciphertext)>". */
const VERSION = 'v2';
/** Sealed before AAD existed; still opened (and re-sealed as v2 by the account store). */
const LEGACY = 'v1';

/**
 * AES-256-GCM bound to `aad`: a sealed value copied onto another owner (another account's
 * hash in Redis) does not open there.
 */
export function encrypt(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
}

export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

/** True for values sealed before AAD binding (v1), which should be re-sealed. */
export function isLegacySealed(sealed: string): boolean {
  return sealed.startsWith(`${LEGACY}.`);
}

export function decrypt(key: Buffer, sealed: string, aad: string): string {
  const [version, body] = sealed.split('.', 2);
  if ((version !== VERSION && version !== LEGACY) || !body) throw new DecryptionError('unknown credential format');
  const raw = Buffer.from(body, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  if (version === VERSION) decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('credentials could not be decrypted: wrong ENCRYPTION_KEY, or sealed for another account?');
  }
}

/**
 * A key for one purpose, derived from ENCRYPTION_KEY with HKDF-SHA256 (RFC 5869), so that no
 * two uses (sealing credentials, signing media URLs) share key material.
 */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `herald ${purpose}`, 32));
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export function newApiKey(): string {
  return `hk_${randomBytes(30).toString('base64url')}`;
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
