import type { ErrorCode } from '../../src/domain/errors.ts';
import { ErrorBody, statusOf } from '../../src/http/errors.ts';
import type { WireResponse } from './wire.ts';

/**
 * Statuses Node answers itself, before the app (src/http/client-error.ts), with one of the
 * contract's codes for a request that failed validation.
 */
const NODE_LEVEL: Record<number, ErrorCode[]> = { 431: ['validation_failed'], 408: ['validation_failed'] };

/**
 * What is wrong with an answer to a hostile request, or null: never a 5xx; every 4xx is the
 * contract's error body with a code that belongs to its status; a mutating request is refused.
 */
export function contractViolation(res: WireResponse, opts: { mustRefuse: boolean }): string | null {
  if (res.status >= 500) return `answered ${res.status}: ${res.body.slice(0, 300)}`;
  if (!res.headers['x-request-id']) return `answered ${res.status} without X-Request-Id`;
  if (opts.mustRefuse && (res.status < 400 || res.status >= 500)) return `a request that must be refused answered ${res.status}: ${res.body.slice(0, 300)}`;
  if (res.status < 400) return null;
  if (!/^application\/json/.test(res.headers['content-type'] ?? '')) return `${res.status} with content-type ${res.headers['content-type']}: ${res.body.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `${res.status} with a body that is not JSON: ${res.body.slice(0, 200)}`;
  }
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return `${res.status} with a body that is not the contract's error: ${res.body.slice(0, 300)}`;
  if (Object.keys(body as object).length !== 1 || Object.keys(parsed.data.error).some((k) => !['code', 'message', 'details'].includes(k))) {
    return `${res.status} error body with extra keys: ${res.body.slice(0, 300)}`;
  }
  const { code, message, details } = parsed.data.error;
  const allowed = NODE_LEVEL[res.status] ?? [];
  if (statusOf(code) !== res.status && !allowed.includes(code)) return `${res.status} with code ${code} (that code is ${statusOf(code)})`;
  if (message.trim() === '') return `${res.status} ${code} with an empty message`;
  if (code === 'validation_failed' && details !== undefined && !fieldsWellFormed(details)) return `validation_failed details are not {fields: [{path, message, code}]}: ${JSON.stringify(details).slice(0, 300)}`;
  if (res.status === 401 && !res.headers['www-authenticate']) return '401 without WWW-Authenticate';
  if ((res.status === 429 || res.status === 503) && !/^\d+$/.test(res.headers['retry-after'] ?? '')) return `${res.status} without a Retry-After in seconds`;
  return null;
}

function fieldsWellFormed(details: unknown): boolean {
  const fields = (details as { fields?: unknown }).fields;
  return Array.isArray(fields) && fields.length > 0 && fields.every((f) => typeof f?.path === 'string' && typeof f?.message === 'string' && typeof f?.code === 'string');
}
