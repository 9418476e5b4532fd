import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConnectorHealth, SupplierConnector } from '../../connectors/connector.ts';
import { openTicketsBySupplier } from '../aftersales/supplier-tickets-store.ts';
import { type SupplierSyncStatus, syncStatus } from '../catalog/sync-status.ts';
import type { Clock } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import type { SupplierKind } from '../domain/supplier-shapes.ts';
import { mergeHealth } from './merge-health.ts';

/**
 * Each supplier account as the staff see it (/admin/suppliers, issue 19): its connector's circuit
 * and recent calls (this process's, merged with those the other processes shared through Redis:
 * redis/supplier-health-share.ts), its last catalog sync, the after-sales tickets still open on
 * it, and its prepaid balance where the supplier has a balance call.
 */

type LastRun = NonNullable<SupplierSyncStatus['lastRun']>;

export interface SupplierHealthView extends ConnectorHealth {
  supplierId: string;
  kind: SupplierKind;
  /** The latest catalog sync run and when the last successful one finished (null: never synced). */
  lastSync: (Pick<LastRun, 'runId' | 'mode' | 'status' | 'startedAt' | 'finishedAt' | 'pages' | 'seen' | 'removed' | 'errors' | 'lastError'> & { lastSuccessAt: string | null }) | null;
  openAfterSales: number;
  /** How many hub processes' figures the circuit and call statistics merge (this one included). */
  processes: number;
  /** Read live (null: no balance call at this supplier, or it did not answer in time). */
  balance: { fen: number; readAt: string } | null;
}

export interface SupplierHealthDeps {
  em: EntityManager;
  clock: Clock;
  supplierIds: readonly string[];
  connectors: ReadonlyMap<string, SupplierConnector>;
  /** The other processes' health by supplier id (none: this process's alone). */
  others?: () => Promise<ReadonlyMap<string, readonly ConnectorHealth[]>>;
}

/** How long a live balance read may take before the answer goes without it. */
export const BALANCE_DEADLINE_MS = 2_000;

/** Every configured supplier account, in configuration order. */
export async function listSupplierHealth(deps: SupplierHealthDeps): Promise<SupplierHealthView[]> {
  return views(deps, deps.supplierIds);
}

/** One supplier account; 404 for an id that is not configured. */
export async function getSupplierHealth(deps: SupplierHealthDeps, supplierId: string): Promise<SupplierHealthView> {
  if (!deps.supplierIds.includes(supplierId) || !deps.connectors.has(supplierId)) throw notFound('supplier');
  const [view] = await views(deps, [supplierId]);
  return view as SupplierHealthView;
}

async function views(deps: SupplierHealthDeps, ids: readonly string[]): Promise<SupplierHealthView[]> {
  const connectors = ids.flatMap((id) => {
    const c = deps.connectors.get(id);
    return c ? [c] : [];
  });
  const [sync, open, balances, others] = await Promise.all([
    syncStatus(deps.em, connectors.map((c) => c.id)),
    openTicketsBySupplier(deps.em),
    Promise.all(connectors.map((c) => balanceOf(c, deps.clock))),
    // Redis not answering leaves this process's figures alone, not an error.
    deps.others ? deps.others().catch(() => new Map<string, readonly ConnectorHealth[]>()) : Promise.resolve(new Map<string, readonly ConnectorHealth[]>()),
  ]);
  const syncById = new Map(sync.map((s) => [s.supplierId, s]));
  return connectors.map((c, i) => {
    const shared = others.get(c.id) ?? [];
    const h = mergeHealth(c.health(), shared);
    const s = syncById.get(c.id);
    const run = s?.lastRun;
    return {
      supplierId: c.id,
      kind: c.kind,
      circuit: h.circuit,
      inFlight: h.inFlight,
      calls: h.calls,
      failures: h.failures,
      errorRate: h.errorRate,
      p50Ms: h.p50Ms,
      p95Ms: h.p95Ms,
      windowMs: h.windowMs,
      lastErrorAt: h.lastErrorAt,
      lastError: h.lastError,
      lastSync: run
        ? {
            runId: run.runId, mode: run.mode, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt,
            pages: run.pages, seen: run.seen, removed: run.removed, errors: run.errors, lastError: run.lastError, lastSuccessAt: s.lastSuccessAt,
          }
        : null,
      openAfterSales: open.get(c.id) ?? 0,
      processes: 1 + shared.length,
      balance: balances[i] ?? null,
    };
  });
}

/** The supplier's prepaid balance read live, or null (no balance call, an error, or no answer within the deadline). */
async function balanceOf(c: SupplierConnector, clock: Clock): Promise<SupplierHealthView['balance']> {
  if (!c.balanceFen) return null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), BALANCE_DEADLINE_MS);
    timer.unref();
  });
  try {
    const fen = await Promise.race([c.balanceFen().catch(() => null), deadline]);
    return fen === null ? null : { fen, readAt: clock.now().toISOString() };
  } finally {
    clearTimeout(timer);
  }
}
