import type { MiddlewareHandler } from 'hono';
import { validationFailed } from '../../domain/errors.ts';
import type { HubEnv } from '../context.ts';
import { unstorableIssues } from '../storable-input.ts';

/**
 * For routes that read their body raw instead of through a zod schema (supplier webhooks, which
 * verify a signature over the exact bytes): refuses a body holding text PostgreSQL cannot store,
 * a NUL or lone surrogate anywhere in it or in its JSON strings, with 400 `validation_failed`
 * naming the field, before the route stores it. A signed body is no safer: a supplier (or whoever
 * holds its secret) can sign anything. Bodies over `maxBytes` are left to the route's own 413.
 */
export function storableRawBody(maxBytes: number): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const length = Number(c.req.header('content-length') ?? 0);
    if (c.req.method !== 'POST' || length > maxBytes) return next();
    // Cached by Hono: the route reads the same text again without touching the stream.
    const text = await c.req.text();
    if (Buffer.byteLength(text) > maxBytes) return next();
    let issues = unstorableIssues(text, 'body');
    if (issues.length === 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the route's signature check refuses what its supplier would not send.
        return next();
      }
      issues = unstorableIssues(parsed, 'body');
    }
    if (issues.length > 0) throw validationFailed(issues, 'the request body holds characters that cannot be stored');
    await next();
  };
}
