import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { AppError, ErrorCode, type FieldIssue, validationFailed } from '../domain/errors.ts';
import type { HubEnv } from './context.ts';
import { DependencyUnavailableError, dependencyFailure } from './dependency-failure.ts';
import { UnstorableInputError, unstorableIssues, unstorableTextSqlState } from './storable-input.ts';

/** The contract's error body. */
export const ErrorBody = z
  .object({
    error: z.object({
      // Rebuilt from the domain enum with the OpenAPI-aware zod (the domain does not depend on it).
      code: z.enum(ErrorCode.options).openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_json: 400,
  validation_failed: 400,
  idempotency_key_required: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_conflict: 409,
  duplicate_mall_order: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unknown_sku: 422,
  price_changed: 422,
  out_of_stock: 422,
  address_unserviceable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
};

/** HTTP status of an error code. */
export const statusOf = (code: ErrorCode): ContentfulStatusCode => STATUS[code];

/** OpenAPI response entries for the given error statuses, to spread into a route's `responses`. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503)[]) {
  const out: Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }> = {};
  for (const s of statuses) out[s] = { description: DESCRIPTIONS[s] ?? "Error", content: { 'application/json': { schema: ErrorBody } } };
  return out;
}
const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or failed validation (`invalid_json`, `validation_failed`)',
  401: 'Missing or invalid bearer credentials (`unauthorized`)',
  403: 'The token may not do this (`forbidden`)',
  404: 'No such resource for this caller (`not_found`)',
  409: 'Conflicts with the current state (`conflict`, `idempotency_conflict`, `duplicate_mall_order`)',
  413: 'Body larger than the limit (`payload_too_large`)',
  415: 'Body is not JSON (`unsupported_media_type`)',
  422: 'Business rule rejected the request',
  429: 'Rate limited (`rate_limited`, see `Retry-After`)',
  503: 'A dependency is down (`unavailable`, see `Retry-After`)',
};

/** The one place an error becomes an HTTP response. */
export function errorResponse(c: Context<HubEnv>, err: AppError): Response {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  if (err.retryAfterMs !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
  if (err.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer');
  return c.json(body, statusOf(err.code));
}

/**
 * Converts anything thrown into an AppError: a dependency that is down (PostgreSQL, Redis, a
 * supplier) becomes 503 `unavailable` with Retry-After (a DependencyUnavailableError), text
 * PostgreSQL refused to store a 400 (an UnstorableInputError), both logged by the caller at warn;
 * anything else unknown becomes `internal_error` (logged by the caller at error).
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) return new AppError('invalid_json', 'request body is not valid JSON');
    if (err.status === 413) return new AppError('payload_too_large', 'request body is too large');
    if (err.status === 401) return new AppError('unauthorized', 'missing or invalid credentials');
    if (err.status === 415) return new AppError('unsupported_media_type', 'send the body as application/json');
    if (err.status === 400) return new AppError('validation_failed', err.message || 'bad request');
  }
  const down = dependencyFailure(err);
  if (down) return new DependencyUnavailableError(down, err);
  const sqlState = unstorableTextSqlState(err);
  if (sqlState) return new UnstorableInputError(sqlState, err);
  return new AppError('internal_error', 'internal error', { retryable: true, cause: err });
}

/** Maps zod issues to `details.fields`, prefixed with where the value came from (body, query, path, header). */
export function fieldIssues(error: ZodError, target: string): FieldIssue[] {
  const where = whereOf(target);
  return error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
    code: i.code,
  }));
}

/** The contract's name for a validation target: the JSON body is `body`, path parameters `path`. */
const whereOf = (target: string): string => (target === 'json' ? 'body' : target === 'param' ? 'path' : target);

/**
 * Validation hook for every route: a failing request becomes a `validation_failed` error, and so
 * does valid-looking input PostgreSQL cannot store (a NUL anywhere in a path parameter, query
 * value, header or body string), named by its field, before a handler can write any of it.
 */
export function validationHook(result: { success: boolean; target: string; data?: unknown; error?: ZodError }): void {
  if (!result.success && result.error) throw validationFailed(fieldIssues(result.error, result.target));
  if (result.success) {
    const issues = unstorableIssues(result.data, whereOf(result.target));
    if (issues.length > 0) throw validationFailed(issues);
  }
}
