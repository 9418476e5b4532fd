import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { safeEqualHex } from '../shared/safe-equal.ts';
import { isJsonObject, joinKeyEqualsValues, toSignableParams } from '../shared/sorted-params.ts';
import { isWithinSkew, parseUtc8Timestamp } from '../shared/timestamp.ts';

/** Outcome of checking a top-up callback; only `ok` may change an order. */
export type TopupCallbackVerdict = { ok: true } | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' };

/** Thrown when a voucher blob is not valid base64 of IV ‖ ciphertext ‖ tag or fails GCM authentication. */
export class TopupCardDecryptError extends Error {
  override name = 'TopupCardDecryptError';
}

// Without these the hub cannot match the callback to an order, so their absence is malformed.
const REQUIRED_CALLBACK_FIELDS = ['order_id', 'customer_order_no', 'order_status', 'timestamp', 'sign'] as const;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Builds the text a top-up platform signs: `k1=v1&k2=v2…` sorted, `sign` and empty values left out, then `&key=<secret>`. */
export function topupSignedString(params: Readonly<Record<string, string>>, secret: string): string {
  const joined = joinKeyEqualsValues(params);
  return `${joined}${joined === '' ? '' : '&'}key=${secret}`;
}

/** Computes the `sign` of a top-up request or callback: lower-case hex MD5 of the signed string. */
export function signTopup(params: Readonly<Record<string, string>>, secret: string): string {
  return createHash('md5').update(topupSignedString(params, secret), 'utf8').digest('hex');
}

/** Checks the `sign` of a top-up request in constant time; what the top-up sandbox uses to answer code 1001. */
export function verifyTopupSign(params: Readonly<Record<string, string>>, secret: string): boolean {
  const received = params.sign;
  return typeof received === 'string' && received !== '' && safeEqualHex(received, signTopup(params, secret));
}

/**
 * Verifies a parsed top-up callback `{order_id, customer_order_no, order_status,
 * recharge_description, charge_finish_time, timestamp, sign}`. Every field but `sign` is signed,
 * values stringified as `toSignableParams` documents; the signature is checked before the age so
 * `stale` is only reported for authentic callbacks.
 */
export function verifyTopupCallback(
  body: unknown,
  secret: string,
  now: Date,
  maxSkewMs = 10 * 60_000,
): TopupCallbackVerdict {
  if (!isJsonObject(body)) return { ok: false, reason: 'malformed' };
  const params = toSignableParams(body);
  if (!params) return { ok: false, reason: 'malformed' };
  if (REQUIRED_CALLBACK_FIELDS.some((field) => typeof params[field] !== 'string' || params[field] === '')) {
    return { ok: false, reason: 'malformed' };
  }
  const sentAt = parseUtc8Timestamp(params.timestamp ?? '');
  if (!sentAt) return { ok: false, reason: 'malformed' };
  if (!verifyTopupSign(params, secret)) return { ok: false, reason: 'bad_signature' };
  if (!isWithinSkew(sentAt, now, maxSkewMs)) return { ok: false, reason: 'stale' };
  return { ok: true };
}

function cardKey(appSecret: string): Buffer {
  return createHash('sha256').update(appSecret, 'utf8').digest();
}

/** Encrypts a voucher code as base64(IV(12) ‖ ciphertext ‖ tag(16)), AES-256-GCM, key = SHA-256(app secret); the sandbox uses it, tests pass a fixed IV. */
export function encryptTopupCard(plain: string, appSecret: string, iv: Buffer = randomBytes(IV_BYTES)): string {
  if (iv.length !== IV_BYTES) throw new RangeError(`encryptTopupCard: IV must be ${IV_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', cardKey(appSecret), iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
}

/** Decrypts a voucher code (card number or password) from an `order.card.add` answer; throws TopupCardDecryptError if it was altered. */
export function decryptTopupCard(b64: string, appSecret: string): string {
  // Buffer.from(…, 'base64') silently skips junk, so check the text first rather than decrypt garbage.
  if (!BASE64.test(b64)) throw new TopupCardDecryptError('voucher is not base64');
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < IV_BYTES + TAG_BYTES) throw new TopupCardDecryptError('voucher is shorter than IV + tag');
  const iv = blob.subarray(0, IV_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', cardKey(appSecret), iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    const plain = Buffer.concat([decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
    return plain.toString('utf8');
  } catch (cause) {
    throw new TopupCardDecryptError('voucher failed authentication (tampered or wrong secret)', { cause });
  }
}
