import { z } from 'zod';

/** Every error code the API can answer with; it feeds the OpenAPI error schema too. */
export const ErrorCode = z.enum([
  'invalid_json',
  'validation_failed',
  'idempotency_key_required',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'idempotency_conflict',
  'duplicate_mall_order',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unknown_sku',
  'price_changed',
  'out_of_stock',
  'address_unserviceable',
  'not_eligible',
  'rate_limited',
  'unavailable',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One field that failed validation, as reported in `details` of `validation_failed`. */
export interface FieldIssue {
  path: string;
  message: string;
  code: string;
}

/**
 * Base of every error the hub raises on purpose. `retryable` tells a caller (queue processor,
 * workflow, client) whether trying again can help.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;
  /** Set on rate-limit and unavailability errors: how long to wait before retrying. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: unknown; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
    this.retryable = opts.retryable ?? (code === 'rate_limited' || code === 'unavailable');
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Shorthands for the errors raised most often. */
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'this token may not do that') => new AppError('forbidden', message);
export const unauthorized = (message = 'missing or invalid credentials') => new AppError('unauthorized', message);
export const validationFailed = (issues: FieldIssue[], message = 'request validation failed') =>
  new AppError('validation_failed', message, { details: { fields: issues } });

/** True for any error that says retrying cannot help (AppError, SupplierError: both carry `retryable`). */
export function isPermanent(err: unknown): err is Error & { retryable: false } {
  return err instanceof Error && (err as { retryable?: unknown }).retryable === false;
}
