import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { NOT_ELIGIBLE_REASONS, RESOLUTION_ACTIONS, TICKET_TYPES } from '../domain/aftersales.ts';
import { AppError, ErrorCode, type FieldIssue, validationFailed } from '../domain/errors.ts';
import { ORDER_ACTION_REFUSALS, RUN_STATUSES } from '../domain/order-actions.ts';
import { LINE_STATUSES } from '../domain/order-status.ts';
import type { HubEnv } from './context.ts';
import { DependencyUnavailableError, dependencyFailure } from './dependency-failure.ts';
import { ReadinessChecks } from './schemas.ts';
import { UnstorableInputError, unstorableIssues, unstorableTextSqlState } from './storable-input.ts';

/** One field that failed validation (`details.fields` of `validation_failed`). */
export const FieldIssueSchema = z
  .object({
    path: z.string().openapi({ description: 'Where: starts with `body.`, `query.`, `path.` or `header.` (or is `request`, `headers`, `path` for the request as a whole)', example: 'body.lines.0.quantity' }),
    message: z.string().openapi({ example: 'Too small: expected number to be >=1' }),
    code: z.string().openapi({ description: "zod's issue code (`too_small`, `invalid_type`, …) or the hub's own (`invalid_cursor`, `invalid_phone`, `required`, `invalid_characters`, `webhook_url_refused`, `unknown_category`, …)", example: 'too_small' }),
  })
  .openapi('FieldIssue');

/*
 * `details`, by the shapes the hub writes (every `details:` in src/): one per situation, each
 * told apart by its required keys. New shapes are added here before any code writes them.
 */
const ValidationDetails = z
  .object({ fields: z.array(FieldIssueSchema).min(1) })
  .openapi('ValidationErrorDetails', { description: '`validation_failed`: the fields that failed, at most 20' });
const OrderLinesDetails = z
  .object({
    lines: z.array(
      z.object({
        lineId: z.string(),
        skuId: z.string(),
        points: z.number().int().optional().openapi({ description: '`price_changed`: the points the whole line needs now' }),
        cashFen: z.number().int().optional().openapi({ description: '`price_changed`: the cash (fen) the whole line needs now' }),
      }),
    ),
  })
  .openapi('OrderLinesErrorDetails', { description: '`unknown_sku`, `price_changed`, `out_of_stock`: the lines refused' });
const AddressDetails = z
  .object({ province: z.string() })
  .openapi('AddressErrorDetails', { description: "`address_unserviceable`: the recipient's province as sent" });
const DependencyDetails = z
  .object({ dependency: z.enum(['postgres', 'redis', 'supplier', 'network']) })
  .openapi('DependencyErrorDetails', { description: '`unavailable`: what is down' });
const CancelDetails = z
  .object({
    undecided: z.array(z.object({ lineId: z.string(), supplierId: z.string(), code: z.string().openapi({ description: "The supplier error's code (`timeout`, `unavailable`, `circuit_open`, `rate_limited`, `invalid_response`)" }) })).openapi({ description: 'Lines left as they were: their supplier could not be asked what it holds' }),
    decided: z.array(z.object({ lineId: z.string(), result: z.enum(['cancelled', 'not_cancellable']), reason: z.string().optional() })).openapi({ description: 'The results of the other lines (the same on a repeat)' }),
  })
  .openapi('CancelUnavailableErrorDetails', { description: '`unavailable` from POST /v1/orders/{orderId}/cancel' });
const ReadinessDetails = z
  .object({ failed: z.array(z.enum(['postgres', 'redis', 'migrations'])).min(1), checks: ReadinessChecks })
  .openapi('ReadinessErrorDetails', { description: '`unavailable` from GET /readyz: the failing checks' });
const SignatureDetails = z
  .object({ reason: z.enum(['missing', 'malformed', 'bad_signature', 'stale']).openapi({ description: 'Why the signature was refused: none sent, unreadable, wrong, or too old' }) })
  .openapi('SignatureErrorDetails', { description: '`unauthorized` from a supplier callback' });
const TransitionDetails = z
  .object({
    lineId: z.string().optional(),
    orderId: z.string().nullable().optional(),
    from: z.string().nullable().openapi({ description: 'The status it is in (null: no such line)' }),
    to: z.string().openapi({ description: 'The status it was asked to move to' }),
  })
  .openapi('TransitionErrorDetails', { description: '`conflict`: a line or order move the state machine forbids' });

const LinesNotFoundDetails = z
  .object({ lineIds: z.array(z.string()).min(1).openapi({ description: 'The line ids named that the order does not have' }) })
  .openapi('LinesNotFoundErrorDetails', { description: '`not_found` from POST /v1/orders/{orderId}/cancel: lines the order does not have (nothing was cancelled)' });

const NotEligibleDetails = z
  .object({
    reason: z.enum(NOT_ELIGIBLE_REASONS).openapi({
      description:
        'Why the line may not have this ticket now: `line_status` (not delivered, shipped, issued or issuing as the type needs), `window_passed` (too long after delivery), `too_early` (not_received before its wait, with no tracking problem), `not_physical` / `not_virtual` (the type is for the other kind of item), `quantity_exceeded` (more units than fulfilled less refunded less under other open tickets), `duplicate_open_ticket` (answered as 409 `conflict`, not here)',
      example: 'window_passed',
    }),
    ticketType: z.enum(TICKET_TYPES).openapi({ description: 'The type of ticket asked for', example: 'return' }),
  })
  .openapi('NotEligibleErrorDetails', { description: '`not_eligible` from POST /v1/orders/{orderId}/after-sales: the rule that refused the ticket' });

const VersionDetails = z
  .object({
    expectedVersion: z.number().int().openapi({ description: 'The version the request was made against' }),
    version: z.number().int().openapi({ description: 'The version the ticket is at now' }),
  })
  .openapi('VersionConflictErrorDetails', { description: '`conflict` from a staff action on an after-sales ticket: it changed since the version sent' });

const SettlementDetails = z
  .object({
    reason: z.enum(['quantity_exceeded', 'action_unfit', 'decision_under_way', 'approval_pending', 'no_approval_pending']).openapi({
      description: '`quantity_exceeded` (422: more units than the ticket is about, or than are paid and not yet refunded), `action_unfit` (422: reissue for goods, reship for a virtual benefit), `decision_under_way` (409: the hub is already sending a replacement), `approval_pending` (409: an agent acting while a refund waits for an admin), `no_approval_pending` (409: nothing to approve or decline)',
      example: 'quantity_exceeded',
    }),
    asked: z.number().int().optional().openapi({ description: 'Units asked' }),
    left: z.number().int().optional().openapi({ description: 'Units left that may be refunded' }),
    action: z.enum(RESOLUTION_ACTIONS).openapi({ description: 'The action refused, or the one under way' }),
  })
  .openapi('SettlementRefusedErrorDetails', { description: '`not_eligible` or `conflict` from settling a ticket or refunding units: why' });

const OrderActionNotEligibleDetails = z
  .object({
    reason: z.enum(ORDER_ACTION_REFUSALS).openapi({
      description:
        'Why: `line_status` (shipped or issued for a reroute; still being fulfilled, or cancelled, for a refund), `quantity_exceeded` (more units than paid and not refunded), `source_cannot_sell` (the named source does not offer the item, or cannot sell it to the recipient’s region now), `no_other_source` (every source that offers it was tried)',
      example: 'quantity_exceeded',
    }),
    lineId: z.string().openapi({ description: 'The mall’s line id', example: '1' }),
    asked: z.number().int().optional().openapi({ description: '`quantity_exceeded`: the units asked' }),
    left: z.number().int().optional().openapi({ description: '`quantity_exceeded`: the units paid and not refunded yet' }),
    lineStatus: z.enum(LINE_STATUSES).optional().openapi({ description: '`line_status`: the line’s status' }),
    supplierId: z.string().optional().openapi({ description: '`source_cannot_sell`: the source named' }),
  })
  .openapi('OrderActionNotEligibleErrorDetails', { description: '`not_eligible` from a staff action on an order (POST /admin/orders/{orderId}/actions/…)' });

const RefundLimitDetails = z
  .object({
    limit: z.object({ points: z.number().int(), cashFen: z.number().int() }).openapi({ description: 'What an agent may refund at once' }),
    refund: z.object({ points: z.number().int(), cashFen: z.number().int() }).openapi({ description: 'What this refund comes to' }),
    requiredRole: z.enum(['admin']).openapi({ description: 'Who may make it' }),
  })
  .openapi('RefundLimitErrorDetails', { description: '`forbidden` from POST /admin/orders/{orderId}/actions/refund: an agent asked for more than their limit' });

const RunStateDetails = z
  .object({
    runId: z.string(),
    status: z.enum(RUN_STATUSES).openapi({ description: 'The run’s status' }),
    step: z.string().openapi({ description: 'The step it is at' }),
  })
  .openapi('RunStateErrorDetails', { description: '`conflict` from POST /admin/orders/{orderId}/actions/retry: the run is neither dead nor waiting' });

/** Every shape of `details`; which one goes with which code is said by each. */
export const ErrorDetails = z
  .union([ValidationDetails, OrderLinesDetails, AddressDetails, DependencyDetails, CancelDetails, ReadinessDetails, SignatureDetails, TransitionDetails, LinesNotFoundDetails, NotEligibleDetails, VersionDetails, SettlementDetails, OrderActionNotEligibleDetails, RefundLimitDetails, RunStateDetails])
  .openapi('ErrorDetails', { description: 'Present for the codes that carry details (see each shape); absent otherwise' });
export type ErrorDetails = z.infer<typeof ErrorDetails>;

/** The contract's error body. */
export const ErrorBody = z
  .object({
    error: z.object({
      // Rebuilt from the domain enum with the OpenAPI-aware zod (the domain does not depend on it).
      code: z.enum(ErrorCode.options).openapi({ description: 'Branch on this, never on `message`', example: 'validation_failed' }),
      message: z.string().openapi({ description: 'For people: may change at any time', example: 'request validation failed' }),
      details: ErrorDetails.optional(),
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
  not_eligible: 422,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
};

/** HTTP status of an error code. */
export const statusOf = (code: ErrorCode): ContentfulStatusCode => STATUS[code];

/** The error statuses an operation documents. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** An error response entry of a route's `responses`. */
export interface ErrorResponseConfig {
  description: string;
  content: { 'application/json': { schema: typeof ErrorBody; example?: ErrorBody; examples?: Record<string, { summary: string; value: ErrorBody }> } };
}

const errorBody = (code: ErrorCode, message: string, details?: ErrorDetails): ErrorBody => ({ error: { code, message, ...(details ? { details } : {}) } });

/** What each status means, and an answer typical of it, for routes that say nothing more specific. */
const GENERIC: Record<ErrorStatus, { description: string; example: ErrorBody }> = {
  400: {
    description: 'The request is malformed: a body that is not JSON (`invalid_json`), a field, query or path parameter or URL that fails validation, or a cursor the hub did not issue (`validation_failed`, `details.fields`)',
    example: errorBody('validation_failed', 'request validation failed', { fields: [{ path: 'query.limit', message: 'Too big: expected number to be <=200', code: 'too_big' }] }),
  },
  401: { description: 'Missing, unknown, revoked or expired credentials (`unauthorized`, with `WWW-Authenticate: Bearer`)', example: errorBody('unauthorized', 'missing or invalid credentials') },
  403: { description: 'The staff token lacks the role this route needs (`forbidden`)', example: errorBody('forbidden', 'this route needs the admin role') },
  404: { description: 'No such resource for this caller (`not_found`); another mall\'s id answers the same', example: errorBody('not_found', 'mall not found') },
  409: { description: 'Conflicts with the current state (`conflict`)', example: errorBody('conflict', 'cannot replay the run: it is running, not dead') },
  413: { description: 'The body is larger than `HUB_BODY_LIMIT_BYTES` (`payload_too_large`)', example: errorBody('payload_too_large', 'request body exceeds 1048576 bytes') },
  415: { description: 'The body is not sent as `application/json` (`unsupported_media_type`)', example: errorBody('unsupported_media_type', 'send the body as application/json') },
  422: { description: 'A business rule refused the request', example: errorBody('unknown_sku', "no such item in this mall's catalog", { lines: [{ lineId: '1', skuId: 'sku_4f1c2a9e0b7d4c3e8a6f5b1d2c3e4f5a' }] }) },
  429: { description: "Over the mall's rate limit (`rate_limited`): retry after `Retry-After` seconds", example: errorBody('rate_limited', 'rate limit of 200 requests/s exceeded') },
  500: { description: 'A bug in the hub (`internal_error`): retry with backoff, and quote `X-Request-Id` to support', example: errorBody('internal_error', 'internal error') },
  503: {
    description: 'PostgreSQL, Redis or a supplier is unavailable (`unavailable`, `details.dependency`): nothing was changed; retry after `Retry-After` seconds',
    example: errorBody('unavailable', 'a dependency (postgres) is unavailable; retry later', { dependency: 'postgres' }),
  },
};

/** OpenAPI response entries for the given error statuses, to spread into a route's `responses`. */
export function errorResponses(...statuses: ErrorStatus[]): Partial<Record<ErrorStatus, ErrorResponseConfig>> {
  const out: Partial<Record<ErrorStatus, ErrorResponseConfig>> = {};
  for (const s of statuses) out[s] = documentedError(s);
  return out;
}

/**
 * One error response, with what this route means by it: its own description, and its own
 * examples (named, one per code or situation), each an `ErrorBody`.
 */
export function documentedError(status: ErrorStatus, own: { description?: string; examples?: Record<string, { summary: string; value: ErrorBody }> } = {}): ErrorResponseConfig {
  const generic = GENERIC[status];
  return {
    description: own.description ?? generic.description,
    content: { 'application/json': { schema: ErrorBody, ...(own.examples ? { examples: own.examples } : { example: generic.example }) } },
  };
}

/** The one place an error becomes an HTTP response. */
export function errorResponse(c: Context<HubEnv>, err: AppError): Response {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  // One of the shapes of ErrorDetails (the fuzz run checks every answer against ErrorBody).
  if (err.details !== undefined) body.error.details = err.details as ErrorDetails;
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
