import type { EntityManager } from '@mikro-orm/postgresql';

/** A full sync reads a supplier's whole catalog; an incremental one only what changed since the last run. */
export const SYNC_MODES = ['full', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
/** A sync run's status (the catalog_sync_run check constraint holds the column to these). */
export const SYNC_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** One sync run as staff see it: where its pages stand (written at each page's checkpoint) and how fast it goes. */
export interface SyncRunStatusView {
  runId: string; mode: SyncMode; status: SyncRunStatus; pages: number; seen: number; written: number; removed: number; errors: number; lastError: string | null;
  startedAt: string; finishedAt: string | null; since: string | null; messages: number;
  /** The last page's checkpoint (or the run's start): a running run whose heartbeat stops moving is stuck or lost its worker. */
  heartbeatAt: string;
  /** Listings seen per second from the start to the last checkpoint (to the end once finished). */
  skusPerSecond: number;
}

/** The latest sync run of each supplier, the runs it has running, and when its last successful one finished. */
export interface SupplierSyncStatus {
  supplierId: string;
  lastRun: SyncRunStatusView | null;
  /** Runs in progress (a full and an incremental one may run side by side), oldest first. */
  running: SyncRunStatusView[];
  lastSuccessAt: string | null;
}

interface Row {
  id: string; supplier_id: string; mode: SyncMode; status: SyncRunStatus; pages: number; seen: number; written: number; removed: number; errors: number;
  last_error: string | null; started_at: Date; finished_at: Date | null; heartbeat_at: Date; since: Date | null; messages: number;
}

const iso = (d: Date) => new Date(d).toISOString();

function view(r: Row): SyncRunStatusView {
  // A finished run's rate runs to its end; a running one's to its last checkpoint, so it does not sag while a page is written.
  const until = new Date(r.finished_at ?? r.heartbeat_at).getTime();
  const seconds = (until - new Date(r.started_at).getTime()) / 1000;
  return {
    runId: String(r.id), mode: r.mode, status: r.status, pages: r.pages, seen: r.seen, written: r.written, removed: r.removed, errors: r.errors,
    lastError: r.last_error, startedAt: iso(r.started_at), finishedAt: r.finished_at ? iso(r.finished_at) : null,
    since: r.since ? iso(r.since) : null, messages: r.messages, heartbeatAt: iso(r.heartbeat_at),
    skusPerSecond: seconds > 0 ? Math.round(r.seen / seconds) : 0,
  };
}

const COLUMNS = 'r.id, r.supplier_id, r.mode, r.status, r.pages, r.seen, r.written, r.removed, r.errors, r.last_error, r.started_at, r.finished_at, r.heartbeat_at, r.since, r.messages';

/** Sync status for every supplier id given (suppliers that never synced report null and no running runs). */
export async function syncStatus(em: EntityManager, supplierIds: readonly string[]): Promise<SupplierSyncStatus[]> {
  const latest = await em.getConnection().execute<(Row & { last_success_at: Date | null })[]>(
    `select distinct on (r.supplier_id) ${COLUMNS},
            (select max(finished_at) from catalog_sync_run s where s.supplier_id = r.supplier_id and s.status = 'succeeded') as last_success_at
     from catalog_sync_run r order by r.supplier_id, r.id desc`,
  );
  const running = await runningRuns(em);
  const byId = new Map(latest.map((r) => [r.supplier_id, r]));
  return supplierIds.map((supplierId) => {
    const r = byId.get(supplierId);
    return {
      supplierId,
      lastRun: r ? view(r) : null,
      running: running.filter((x) => x.supplierId === supplierId).map(({ supplierId: _, ...run }) => run),
      lastSuccessAt: r?.last_success_at ? iso(r.last_success_at) : null,
    };
  });
}

/** Every run in progress, by supplier and oldest first: what /metrics reports as sync progress. */
export async function runningRuns(em: EntityManager): Promise<(SyncRunStatusView & { supplierId: string })[]> {
  const rows = await em.getConnection().execute<Row[]>(`select ${COLUMNS} from catalog_sync_run r where r.status = 'running' order by r.supplier_id, r.id`);
  return rows.map((r) => ({ supplierId: r.supplier_id, ...view(r) }));
}
