import { z } from '@hono/zod-openapi';
import { AppError } from '../domain/errors.ts';
import { queryParam } from './schemas.ts';

/** `?limit=&cursor=` as the contract defines them for every list endpoint. */
export const PageQuery = z.object({
  limit: queryParam('limit', z.coerce.number().int().min(1).max(200).default(50), 'Items per page, 1 to 200 (default 50)', 50),
  cursor: queryParam('cursor', z.string().max(200).optional(), 'Opaque: the `nextCursor` of the previous page (omit it for the first page). A cursor altered or from another list is 400 `invalid_cursor`', 'eyJrIjoibWFsbF8wMTk2YTNjMmUxZjA3YzNhOGIxZDJlM2Y0YTViNmM3ZCJ9'),
});

/** The list envelope: `{items, nextCursor}`. */
export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().openapi({ description: 'Pass it as `cursor` for the next page; null: nothing after this page yet' }) });

/** Encodes the last id of a page as an opaque cursor. */
export const encodeCursor = (lastId: string): string => Buffer.from(JSON.stringify({ k: lastId })).toString('base64url');

/** Decodes a cursor made by `encodeCursor`; a forged or damaged one is a 400. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    // A forged cursor must not carry a NUL to PostgreSQL (text cannot hold one).
    if (typeof v.k === 'string' && !v.k.includes('\u0000')) return v.k;
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** The 400 for a cursor the hub did not issue (forged, damaged, or from another list). */
export const invalidCursor = () =>
  new AppError('validation_failed', 'invalid cursor', { details: { fields: [{ path: 'query.cursor', message: 'invalid cursor', code: 'invalid_cursor' }] } });

/** Cuts a `limit + 1` fetch into a page and its next cursor. */
export function toPage<T extends { id: string }, V>(rows: T[], limit: number, view: (row: T) => V): { items: V[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { items: page.map(view), nextCursor: more && last ? encodeCursor(last.id) : null };
}
