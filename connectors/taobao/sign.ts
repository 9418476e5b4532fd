import { createHmac } from 'node:crypto';
import { safeEqualHex } from '../shared/safe-equal.ts';
import { concatKeyValues, isJsonObject, toSignableParams } from '../shared/sorted-params.ts';
import { isWithinSkew, parseUtc8Timestamp } from '../shared/timestamp.ts';

/** Outcome of checking a Taobao push; only `ok` may be stored. */
export type TaobaoPushVerdict = { ok: true } | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' };

// Without these the hub cannot store or deduplicate a push, so their absence is malformed, not unsigned.
const REQUIRED_PUSH_FIELDS = ['topic', 'content', 'pub_time', 'msg_id', 'sign'] as const;

/** Builds the text Taobao signs: `k1v1k2v2…` over the sorted parameters, `sign` and empty values left out. */
export function taobaoSignedString(params: Readonly<Record<string, string>>): string {
  return concatKeyValues(params);
}

/** Computes the `sign` of a TOP call or push: upper-case hex HMAC-SHA256 keyed with the app secret. */
export function signTaobao(params: Readonly<Record<string, string>>, secret: string): string {
  return createHmac('sha256', secret).update(taobaoSignedString(params), 'utf8').digest('hex').toUpperCase();
}

/** Checks the `sign` of a TOP call in constant time; what the Taobao sandbox uses to answer code 25. */
export function verifyTaobaoSign(params: Readonly<Record<string, string>>, secret: string): boolean {
  const received = params.sign;
  return typeof received === 'string' && received !== '' && safeEqualHex(received, signTaobao(params, secret));
}

/**
 * Verifies a parsed Taobao push body `{topic, content, pub_time, user_id, nick, msg_id, sign}`.
 *
 * Every field other than `sign` is signed, including ones we do not know, so a supplier adding a
 * field does not break verification. Values are stringified as `toSignableParams` documents
 * (strings as sent, numbers and booleans via String(), null left out, objects malformed). The
 * signature is checked before the age so that `stale` is only ever reported for authentic pushes.
 */
export function verifyTaobaoPush(
  body: unknown,
  secret: string,
  now: Date,
  maxSkewMs = 10 * 60_000,
): TaobaoPushVerdict {
  if (!isJsonObject(body)) return { ok: false, reason: 'malformed' };
  const params = toSignableParams(body);
  if (!params) return { ok: false, reason: 'malformed' };
  if (REQUIRED_PUSH_FIELDS.some((field) => typeof params[field] !== 'string' || params[field] === '')) {
    return { ok: false, reason: 'malformed' };
  }
  const pubTime = parseUtc8Timestamp(params.pub_time ?? '');
  if (!pubTime) return { ok: false, reason: 'malformed' };
  if (!verifyTaobaoSign(params, secret)) return { ok: false, reason: 'bad_signature' };
  if (!isWithinSkew(pubTime, now, maxSkewMs)) return { ok: false, reason: 'stale' };
  return { ok: true };
}
