import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** What the hub signs for one outbound mall webhook. */
export type StandardWebhookInput = {
  /** `whsec_<base64 key>`, or several during rotation (one signature each). */
  secret: string | readonly string[];
  /** The `webhook-id` header, stable across retries so the mall can deduplicate. */
  id: string;
  /** The `webhook-timestamp` header, unix seconds. */
  timestampSeconds: number;
  /** The exact body bytes sent, as text. */
  body: string;
};

const PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes a `whsec_` secret to its key bytes; throws on anything else so a mistyped config fails loudly, not with silently wrong signatures. */
export function standardWebhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : undefined;
  if (!encoded || !BASE64.test(encoded)) throw new TypeError('standard webhook secret must be whsec_ followed by base64');
  return Buffer.from(encoded, 'base64');
}

/** Builds the `webhook-signature` header: `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` per secret, space-separated. */
export function signStandardWebhook({ secret, id, timestampSeconds, body }: StandardWebhookInput): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('signStandardWebhook: timestampSeconds must be whole unix seconds');
  }
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('signStandardWebhook: at least one secret is required');
  const signedContent = `${id}.${timestampSeconds}.${body}`;
  return secrets
    .map((s) => `v1,${createHmac('sha256', hmacKey(s)).update(signedContent, 'utf8').digest('base64')}`)
    .join(' ');
}

// Decoding, checking and wrapping a secret cost more than the HMAC of a small body (profiled in the
// delivery bench), and a mall signs thousands of events with one secret: keep the keys.
const KEYS = new Map<string, KeyObject>();
const MAX_KEYS = 10_000;

function hmacKey(secret: string): KeyObject {
  let key = KEYS.get(secret);
  if (!key) {
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    key = createSecretKey(standardWebhookKey(secret));
    KEYS.set(secret, key);
  }
  return key;
}
