/**
 * Removes secrets and personal data from anything about to be logged. Keys that name such data
 * are replaced whole; other strings are scanned for phone numbers, bearer secrets and emails, since
 * they can hide in messages, paths and error texts.
 */

const SENSITIVE_KEY =
  /^(authorization|cookie|set-cookie|x-api-key|api_?key|token|access_?token|refresh_?token|secret|password|passwd|webhook_?secret|sign|signature|phone|mobile|tel|name|recipient|address|addr|province_?address|receiver|consignee|recharge_?account|charge_?account|card_?(no|number|password|pwd)|voucher_?code|code_?plain|email|id_?card|x-csrf-token|csrf_?token)$/i;

const PATTERNS: [RegExp, string][] = [
  // Bearer secrets the hub issues or receives, and generic "Bearer x" values.
  [/\b(rh_live_|rh_staff_|rh_sess_|whsec_)[A-Za-z0-9+/=_-]+/g, '$1[redacted]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  // Mainland mobile numbers, with or without +86 / separators.
  [/(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)/g, '[phone]'],
  // Landlines like 010-12345678.
  [/(?<!\d)0\d{2,3}-\d{7,8}(?!\d)/g, '[phone]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
];

/** Masks sensitive substrings of one string. */
export function scrubString(s: string): string {
  let out = s;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Deep copy of a log record with sensitive keys replaced and strings scrubbed. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubString(value.message), stack: value.stack ? scrubString(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE_KEY.test(k) && v !== null && v !== undefined ? '[redacted]' : scrub(v, depth + 1);
  }
  return out;
}
