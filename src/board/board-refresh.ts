import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import {
  boardMallIds,
  claimRefresh,
  finishRefresh,
  type OrderPosition,
  refreshCostedOrders,
  refreshOrderChunk,
  refreshRefunds,
  refreshTickets,
  releaseRefresh,
  renewRefreshLease,
} from './board-store.ts';

export interface RefreshOptions {
  /** Orders rewritten per statement. */
  chunk?: number;
  /**
   * How far before the cursor each run reads again. Change times are stamped by the writer's clock
   * before its transaction commits, so a change may become visible after a run has read past its
   * time: one committed within the margin of its stamp is read by the next run. Rewriting a row
   * twice is harmless (the facts are recomputed, not added).
   */
  marginMs?: number;
  /** How long a refresh may go without renewing its lease before another worker takes over. */
  leaseMs?: number;
}

/** What one refresh did (null: another worker holds the lease). */
export interface RefreshResult {
  orders: number;
  refunds: number;
  tickets: number;
  full: boolean;
}

/**
 * Brings the board tables up to date with what changed in the order tables since the last
 * refresh: the lines of every order whose `updated_at` moved (intake, and every line move through
 * setLineStatus, stamp it), of every order a supplier cost was booked for, the refunds written and
 * the tickets changed. The first run (no cursor) goes through every order. Run by the maintenance
 * queue every HUB_BOARD_REFRESH_EVERY_MS on one worker at a time (a lease), never on a request:
 * order intake pays nothing for the board.
 *
 * What it does not see until the order next changes: a parcel's first scan that a carrier reports
 * after its line's last move with an earlier time than the scans before it.
 */
export async function refreshBoard(em: EntityManager, clock: Clock, opts: RefreshOptions = {}): Promise<RefreshResult | null> {
  const chunk = opts.chunk ?? 5_000;
  const marginMs = opts.marginMs ?? 60_000;
  const leaseMs = opts.leaseMs ?? 300_000;
  const started = clock.now();
  const claim = await claimRefresh(em, started, new Date(started.getTime() + leaseMs));
  if (!claim) return null;
  try {
    const since = claim.cursor ? new Date(claim.cursor.getTime() - marginMs) : null;
    let orders = 0;
    for (const mallId of await boardMallIds(em)) {
      let after: OrderPosition | null = null;
      for (;;) {
        const done: { orders: number; last: OrderPosition | null } = await refreshOrderChunk(em, mallId, since, after, chunk);
        orders += done.orders;
        if (done.orders < chunk || !done.last) break;
        after = done.last;
        await renewRefreshLease(em, new Date(clock.now().getTime() + leaseMs));
      }
    }
    // Without a cursor every order was rewritten above, costs included.
    if (since) orders += await refreshCostedOrders(em, since);
    const refunds = await refreshRefunds(em, since);
    const tickets = await refreshTickets(em, since);
    await finishRefresh(em, started, clock.now());
    return { orders, refunds, tickets, full: since === null };
  } catch (err) {
    await releaseRefresh(em).catch(() => undefined);
    throw err;
  }
}
