import { createHash } from 'node:crypto';
import { safeEqualHex } from '../shared/safe-equal.ts';
import { concatKeyValues } from '../shared/sorted-params.ts';

/** Builds the text JD signs: `secret + k1v1k2v2… + secret` over the sorted parameters, `sign` and empty values left out. */
export function jdSignedString(params: Readonly<Record<string, string>>, secret: string): string {
  return secret + concatKeyValues(params) + secret;
}

/** Computes the `sign` parameter of a JD VOP call: upper-case hex MD5 of the signed string. */
export function signJd(params: Readonly<Record<string, string>>, secret: string): string {
  return createHash('md5').update(jdSignedString(params, secret), 'utf8').digest('hex').toUpperCase();
}

/** Checks the `sign` of a JD call in constant time; what the JD sandbox uses to answer a bad-sign error. */
export function verifyJdSign(params: Readonly<Record<string, string>>, secret: string): boolean {
  const received = params.sign;
  return typeof received === 'string' && received !== '' && safeEqualHex(received, signJd(params, secret));
}
