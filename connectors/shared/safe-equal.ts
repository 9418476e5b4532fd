import { timingSafeEqual } from 'node:crypto';

/** Compares a received signature with the expected one in constant time, so timing does not reveal how many leading characters matched. */
export function safeEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Only the length can leak here, and the length of a signature is public.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two hex digests in constant time, ignoring letter case (hex case carries no information). */
export function safeEqualHex(received: string, expected: string): boolean {
  return safeEqual(received.toLowerCase(), expected.toLowerCase());
}
