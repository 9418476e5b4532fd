import { hash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery } from 'kysely';

/**
 * Runs SQL with real bind parameters ($1, $2…) in the caller's transaction. The ORM's `execute`
 * inlines parameters by escaping them character by character, which for the sync's one-JSON-
 * document-per-page statements cost about 7 % of the worker's CPU (profiled at 100 000 SKUs).
 * `?` placeholders are numbered in order; the SQL must not use `?` otherwise.
 */
export async function executeBound<T extends object>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const text = numbered(sql, params.length);
  const executor = (em.getTransactionContext() ?? em.getConnection().getClient()) as { executeQuery(q: CompiledQuery): Promise<{ rows: unknown[] }> };
  const res = await executor.executeQuery(CompiledQuery.raw(text, [...params]));
  return res.rows as T[];
}

/**
 * Runs one statement as a named prepared statement on the ORM's own pool, outside any transaction
 * (a single statement commits on its own). Each pooled connection parses and plans `name` once:
 * for intake's multi-table insert, planning cost PostgreSQL about as much CPU as executing it.
 * `?` placeholders as in executeBound; `name` must stand for exactly one SQL text.
 */
export async function executePrepared<T extends object>(em: EntityManager, name: string, sql: string, params: readonly unknown[]): Promise<T[]> {
  if (em.isInTransaction()) throw new Error(`executePrepared(${name}) runs on its own connection: not inside a transaction`);
  let text = PREPARED.get(name);
  if (text === undefined) {
    text = numbered(sql, params.length);
    PREPARED.set(name, text);
  }
  const pool = (await (em.getConnection() as unknown as { getNativeClient(): Promise<{ query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> }> }).getNativeClient());
  const res = await pool.query({ name, text, values: [...params] });
  return res.rows as T[];
}

const PREPARED = new Map<string, string>();

/**
 * executePrepared named after its SQL text: for statements built from a request's filters, where
 * each combination of filters is one text and the filter values are bound. Each pooled connection
 * parses each combination once and, after five executions, PostgreSQL may keep one generic plan
 * for it: planning a catalog page cost PostgreSQL 1.5–3 ms, more than running it (0.4–1.7 ms at
 * 1 000 000 SKUs). Only for statements whose best plan does not hinge on the bound values (an
 * ordered index range, say). A LIMIT belongs in the text: bound, the generic plan cannot see it
 * and sorts the whole range (12–37 ms instead of 0.5).
 */
export function executeByShape<T extends object>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  return executePrepared<T>(em, `shape_${hash('sha1', sql, 'hex').slice(0, 24)}`, sql, params);
}

/** `?` placeholders numbered $1, $2… in order; a count that differs from the parameters is a bug in the caller. */
function numbered(sql: string, paramCount: number): string {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  if (n !== paramCount) throw new Error(`${n} placeholders for ${paramCount} parameters`);
  return text;
}
