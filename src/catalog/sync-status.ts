import type { EntityManager } from '@mikro-orm/postgresql';

/** A full sync reads a supplier's whole catalog; an incremental one only what changed since the last run. */
export const SYNC_MODES = ['full', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
/** A sync run's status (the catalog_sync_run check constraint holds the column to these). */
export const SYNC_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** The latest sync run of each supplier and when its last successful one finished. */
export interface SupplierSyncStatus {
  supplierId: string;
  lastRun: { runId: string; mode: SyncMode; status: SyncRunStatus; pages: number; seen: number; removed: number; errors: number; lastError: string | null; startedAt: string; finishedAt: string | null; since: string | null; messages: number } | null;
  lastSuccessAt: string | null;
}

interface Row {
  id: string; supplier_id: string; mode: SyncMode; status: SyncRunStatus; pages: number; seen: number; removed: number; errors: number;
  last_error: string | null; started_at: Date; finished_at: Date | null; last_success_at: Date | null; since: Date | null; messages: number;
}

/** Sync status for every supplier id given (suppliers that never synced report null). */
export async function syncStatus(em: EntityManager, supplierIds: readonly string[]): Promise<SupplierSyncStatus[]> {
  const rows = await em.getConnection().execute<Row[]>(
    `select distinct on (r.supplier_id) r.*,
            (select max(finished_at) from catalog_sync_run s where s.supplier_id = r.supplier_id and s.status = 'succeeded') as last_success_at
     from catalog_sync_run r order by r.supplier_id, r.id desc`,
  );
  const byId = new Map(rows.map((r) => [r.supplier_id, r]));
  return supplierIds.map((supplierId) => {
    const r = byId.get(supplierId);
    return {
      supplierId,
      lastRun: r
        ? {
            runId: String(r.id), mode: r.mode, status: r.status, pages: r.pages, seen: r.seen, removed: r.removed, errors: r.errors,
            lastError: r.last_error, startedAt: new Date(r.started_at).toISOString(), finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
            since: r.since ? new Date(r.since).toISOString() : null, messages: r.messages,
          }
        : null,
      lastSuccessAt: r?.last_success_at ? new Date(r.last_success_at).toISOString() : null,
    };
  });
}
