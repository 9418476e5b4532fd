/**
 * The parameter handling every supplier scheme shares: sort by key in byte order, leave out the
 * `sign` itself and empty values, use values as sent (no URL-encoding).
 */

/** A key/value pair that takes part in a signature. */
export type SignableEntry = readonly [key: string, value: string];

/** Compares two keys by their UTF-8 bytes, the order the suppliers sort in (not localeCompare, not UTF-16). */
export function compareKeyBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Returns the entries that are signed, sorted by key in byte order; `sign` and empty values are left out. */
export function sortedSignableEntries(params: Readonly<Record<string, string>>): SignableEntry[] {
  return Object.entries(params)
    .filter(([key, value]) => key !== 'sign' && value !== '' && value !== undefined && value !== null)
    .sort(([a], [b]) => compareKeyBytes(a, b));
}

/** Concatenates sorted entries as `k1v1k2v2…`, the JD and Taobao form. */
export function concatKeyValues(params: Readonly<Record<string, string>>): string {
  return sortedSignableEntries(params)
    .map(([key, value]) => key + value)
    .join('');
}

/** Joins sorted entries as `k1=v1&k2=v2…`, the top-up form. */
export function joinKeyEqualsValues(params: Readonly<Record<string, string>>): string {
  return sortedSignableEntries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/**
 * Turns a parsed JSON body into the string form it was signed in, or undefined when a value
 * has no single string form.
 *
 * Strings are used as sent; finite numbers and booleans become `String(value)` (`123`, `1.5`,
 * `true`), which is how they read in the JSON text for integers a sender can represent;
 * `null` counts as empty and is left out like `""`. Objects, arrays and non-finite numbers
 * make the body malformed: their text form depends on key order and spacing, so there is no
 * one string a sender could have signed. Integers beyond 2^53 lose digits in JSON.parse and
 * will not verify; senders must send such ids as strings.
 */
export function toSignableParams(body: Readonly<Record<string, unknown>>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'boolean') out[key] = String(value);
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = String(value);
    else return undefined;
  }
  return out;
}

/** Tells whether a value is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
