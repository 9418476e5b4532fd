import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';

/** A sync run as a worker takes it: where its pages stand. */
export interface RunRow {
  id: string;
  cursor: string | null;
  pages: number;
  seen: number;
  written: number;
  since: Date | null;
  /** The catalog's first load the run writes for (first-load.ts), if any. */
  load_id: string | null;
}

type Mode = 'full' | 'incremental';

/**
 * Takes over the supplier's running run of this mode when nobody holds it (no lease, or the lease
 * ran out: its worker died), renewing the lease; undefined when there is none or it is held.
 */
export async function takeOverRun(em: EntityManager, clock: Clock, supplierId: string, mode: Mode, leaseUntil: Date): Promise<RunRow | undefined> {
  const rows = await em.getConnection().execute<RunRow[]>(
    `update catalog_sync_run set lease_until = ?, heartbeat_at = ?
     where supplier_id = ? and mode = ? and status = 'running' and (lease_until is null or lease_until <= ?)
     returning id, cursor, pages, seen, written, since, load_id`,
    [leaseUntil, clock.now(), supplierId, mode, clock.now()],
  );
  return rows[0];
}

/** Starts a run; undefined when the supplier already has one of this mode running (the unique index on running runs). */
export async function startRun(
  em: EntityManager,
  run: { supplierId: string; mode: Mode; since: Date | null; now: Date; leaseUntil: Date },
): Promise<RunRow | undefined> {
  const rows = await em.getConnection().execute<RunRow[]>(
    `insert into catalog_sync_run (supplier_id, mode, status, since, started_at, heartbeat_at, lease_until) values (?, ?, 'running', ?, ?, ?, ?)
     on conflict (supplier_id, mode) where status = 'running' do nothing
     returning id, cursor, pages, seen, written, since, load_id`,
    [run.supplierId, run.mode, run.since, run.now, run.now, run.leaseUntil],
  );
  return rows[0];
}

/** The supplier's running run of this mode (held by another worker when takeOverRun and startRun found nothing). */
export async function runningRun(em: EntityManager, supplierId: string, mode: Mode): Promise<RunRow | undefined> {
  const held = await em.getConnection().execute<RunRow[]>("select id, cursor, pages, seen, written, since, load_id from catalog_sync_run where supplier_id = ? and mode = ? and status = 'running'", [supplierId, mode]);
  return held[0];
}

/** The full run of a supplier in progress, if any: what an incremental update counts as seen by it. */
export async function runningFullRunId(em: EntityManager, supplierId: string): Promise<number | null> {
  const rows = await em.getConnection().execute<{ id: string }[]>("select id from catalog_sync_run where supplier_id = ? and mode = 'full' and status = 'running'", [supplierId]);
  return rows[0] ? Number(rows[0].id) : null;
}

/** When the supplier's last successful run started (null when it never had one): where the next modified-since pull starts. */
export async function lastSuccessfulStart(em: EntityManager, supplierId: string): Promise<Date | null> {
  const rows = await em.getConnection().execute<{ at: Date | null }[]>(
    "select max(started_at) as at from catalog_sync_run where supplier_id = ? and status = 'succeeded'",
    [supplierId],
  );
  return rows[0]?.at ? new Date(rows[0].at) : null;
}

/** A failed attempt on the run: counted and its error kept; the lease is let go, so the run stays running and any worker may resume it. */
export async function noteRunError(em: EntityManager, runId: number, error: string, at: Date): Promise<void> {
  await em.getConnection().execute('update catalog_sync_run set errors = errors + 1, last_error = ?, heartbeat_at = ?, lease_until = null where id = ?', [error, at, runId]);
}

/** The run's checkpoint after a page, in the page's transaction: the next page's cursor, the counts, the lease renewed. */
export async function checkpointRun(
  tx: EntityManager,
  runId: number,
  page: { cursor: string | null; pages: number; seen: number; written: number; at: Date; leaseUntil: Date },
): Promise<void> {
  await tx.getConnection().execute(
    'update catalog_sync_run set cursor = ?, pages = pages + ?, seen = seen + ?, written = written + ?, heartbeat_at = ?, lease_until = ? where id = ?',
    [page.cursor, page.pages, page.seen, page.written, page.at, page.leaseUntil, runId],
    'run',
    tx.getTransactionContext(),
  );
}

/** A message-pool run's checkpoint after a batch, in the batch's transaction: one page more, its counts, the lease renewed. */
export async function checkpointPoolBatch(
  tx: EntityManager,
  runId: number,
  batch: { seen: number; written: number; messages: number; removed: number; at: Date; leaseUntil: Date },
): Promise<void> {
  await tx.getConnection().execute(
    'update catalog_sync_run set pages = pages + 1, seen = seen + ?, written = written + ?, messages = messages + ?, removed = removed + ?, heartbeat_at = ?, lease_until = ? where id = ?',
    [batch.seen, batch.written, batch.messages, batch.removed, batch.at, batch.leaseUntil, runId],
    'run',
    tx.getTransactionContext(),
  );
}

/** Ends a paged run as succeeded with the offers it removed, in the transaction that removed them. */
export async function finishRun(tx: EntityManager, clock: Clock, runId: number, removed: number): Promise<void> {
  await tx.getConnection().execute(
    "update catalog_sync_run set status = 'succeeded', removed = ?, finished_at = ?, heartbeat_at = ?, lease_until = null where id = ?",
    [removed, clock.now(), clock.now(), runId],
    'run',
    tx.getTransactionContext(),
  );
}

/** Ends a message-pool run as succeeded (its removals were counted batch by batch). */
export async function finishPoolRun(em: EntityManager, clock: Clock, runId: number): Promise<void> {
  await em.getConnection().execute("update catalog_sync_run set status = 'succeeded', finished_at = ?, heartbeat_at = ?, lease_until = null where id = ?", [clock.now(), clock.now(), runId]);
}
