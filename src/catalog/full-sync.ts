import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { removeUnseenOffers, upsertListings } from '../persistence/catalog-store.ts';

/** Outcome of one call of `runFullSync`. */
export interface SyncOutcome {
  runId: number;
  resumed: boolean;
  status: 'succeeded';
  pages: number;
  seen: number;
  removed: number;
}

interface RunRow {
  id: string;
  cursor: string | null;
  pages: number;
  seen: number;
}

/**
 * Pages a supplier's whole catalog into the canonical catalog. Each page is written together with
 * the run's checkpoint (the cursor of the next page) in one transaction, so a run killed at any
 * point resumes from the last page it committed; at the end, offers the run did not see stop being
 * sold. One run per supplier at a time (a unique index on running runs; the queue job id is the
 * supplier). Connector errors propagate after being recorded on the run, which stays resumable.
 */
export async function runFullSync(
  deps: { em: EntityManager; clock: Clock },
  connector: SupplierConnector,
  opts: { accountId?: string; pageSize?: number } = {},
): Promise<SyncOutcome> {
  const em = deps.em;
  const conn = em.getConnection();
  const now = () => deps.clock.now();
  const existing = await conn.execute<RunRow[]>(
    "select id, cursor, pages, seen from catalog_sync_run where supplier_id = ? and mode = 'full' and status = 'running'",
    [connector.id],
  );
  let run = existing[0];
  const resumed = run !== undefined;
  if (!run) {
    const rows = await conn.execute<RunRow[]>(
      "insert into catalog_sync_run (supplier_id, mode, status, started_at, heartbeat_at) values (?, 'full', 'running', ?, ?) returning id, cursor, pages, seen",
      [connector.id, now(), now()],
    );
    run = rows[0] as RunRow;
  }
  const runId = Number(run.id);
  let cursor = run.cursor;
  let pages = run.pages;
  let seen = run.seen;
  const source = { supplierId: connector.id, accountId: opts.accountId ?? connector.id, runId };
  try {
    // A run that committed its last page has cursor null and pages > 0: only the wrap-up is left.
    while (pages === 0 || cursor !== null) {
      const page = await connector.listCatalog({ cursor, limit: opts.pageSize ?? 500 });
      await em.transactional(async (tx) => {
        await upsertListings(tx, source, page.items);
        await tx.getConnection().execute(
          'update catalog_sync_run set cursor = ?, pages = pages + 1, seen = seen + ?, heartbeat_at = ? where id = ?',
          [page.nextCursor, page.items.length, now(), runId],
          'run',
          tx.getTransactionContext(),
        );
      });
      cursor = page.nextCursor;
      pages++;
      seen += page.items.length;
    }
    const removed = await em.transactional(async (tx) => {
      const n = await removeUnseenOffers(tx, connector.id, runId);
      await tx.getConnection().execute(
        "update catalog_sync_run set status = 'succeeded', removed = ?, finished_at = ?, heartbeat_at = ? where id = ?",
        [n, now(), now(), runId],
        'run',
        tx.getTransactionContext(),
      );
      return n;
    });
    return { runId, resumed, status: 'succeeded', pages, seen, removed };
  } catch (err) {
    await conn.execute('update catalog_sync_run set errors = errors + 1, last_error = ?, heartbeat_at = ? where id = ?', [
      err instanceof Error ? err.message.slice(0, 500) : String(err),
      now(),
      runId,
    ]);
    throw err;
  }
}
