import { createHmac } from 'node:crypto';
import { safeEqualHex } from '../shared/safe-equal.ts';
import { isWithinSkew } from '../shared/timestamp.ts';

/** Outcome of checking an `X-Brand-Signature` header; only `ok` may be processed. */
export type BrandWebhookVerdict =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'stale' };

/** A parsed `X-Brand-Signature` header. */
export type BrandSignatureHeader = { timestampSeconds: number; v1: string[] };

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,15}$/;

function hmacHex(secret: string, tSeconds: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${tSeconds}.${rawBody}`, 'utf8').digest('hex');
}

/** Builds the `X-Brand-Signature` value `t=<t>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`; used by the brand sandbox. */
export function signBrandWebhook(rawBody: string, secret: string, tSeconds: number): string {
  if (!Number.isSafeInteger(tSeconds) || tSeconds < 0) throw new RangeError('signBrandWebhook: t must be whole unix seconds');
  return `t=${tSeconds},v1=${hmacHex(secret, tSeconds, rawBody)}`;
}

/**
 * Parses `t=…,v1=…[,v1=…]`; undefined when there is not exactly one numeric `t` and at least one hex `v1`.
 * Several `v1` entries are kept because a supplier rotating its secret signs with both; unknown
 * schemes (`v0=`, future ones) are skipped so a supplier can add one without breaking us.
 */
export function parseBrandSignatureHeader(header: string): BrandSignatureHeader | undefined {
  let timestampSeconds: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestampSeconds !== undefined || !UNIX_SECONDS.test(value)) return undefined;
      timestampSeconds = Number(value);
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) return undefined;
      v1.push(value);
    }
  }
  return timestampSeconds === undefined || v1.length === 0 ? undefined : { timestampSeconds, v1 };
}

/**
 * Verifies a brand webhook against its raw body (the bytes as received, before any JSON parsing).
 * The signature is checked before the age so that `stale` is only reported for authentic events;
 * a timestamp too far in the future counts as stale too, or it would stretch the replay window.
 */
export function verifyBrandWebhook(
  header: string | undefined,
  rawBody: string,
  secret: string,
  now: Date,
  toleranceMs = 5 * 60_000,
): BrandWebhookVerdict {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const parsed = parseBrandSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const expected = hmacHex(secret, parsed.timestampSeconds, rawBody);
  // Compare against every entry (no early exit) so timing does not tell which one matched.
  const matched = parsed.v1.reduce((found, candidate) => safeEqualHex(candidate, expected) || found, false);
  if (!matched) return { ok: false, reason: 'bad_signature' };
  if (!isWithinSkew(new Date(parsed.timestampSeconds * 1000), now, toleranceMs)) return { ok: false, reason: 'stale' };
  return { ok: true, timestampSeconds: parsed.timestampSeconds };
}
