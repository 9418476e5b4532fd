import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Kinds of bearer secret the hub issues; the prefix lets secret scanners and people recognise them. */
export const TOKEN_PREFIX = { mallKey: 'rh_live_', staffToken: 'rh_staff_', staffSession: 'rh_sess_', webhookSecret: 'whsec_' } as const;

/** A new high-entropy bearer secret (256 bits, base64url) with its kind's prefix. */
export function newBearerSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return TOKEN_PREFIX.webhookSecret + randomBytes(32).toString('base64');
}

/**
 * Keyed hash of a bearer secret, stored and indexed instead of the secret. HMAC (not bcrypt)
 * because it is checked on every request and the secret has 256 bits of entropy already.
 */
export function hashSecret(secret: string, pepper: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** The first characters of a secret, kept to tell keys apart in listings (never enough to use). */
export function displayPrefix(secret: string): string {
  return `${secret.slice(0, secret.indexOf('_', 3) + 5)}…`;
}
