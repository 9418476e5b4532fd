import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector, SupplierEvent } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { countInboundAttempt, finishInboundEvent, lockInboundEvent } from './inbound-events.ts';
import { findLineOf } from './timeline-store.ts';
import { applyOrderEvent } from './timeline.ts';
import { wakeSubjectRuns } from '../../workflows/engine/index.ts';
import { ticketsOfReplacement, ticketsOfSupplierAfterSale } from '../aftersales/ticket-store.ts';

/** What processing needs. */
export interface InboundDeps {
  em: EntityManager;
  clock: Clock;
  connectors: Map<string, SupplierConnector>;
  /** Puts a wake-up of a workflow run on the queue (the runner's `schedule`). */
  scheduleRun: (runId: string, wakes: number, delayMs: number) => Promise<void>;
  /** Attempts to find the line of an event before it is set aside (its submit may not be recorded yet). */
  maxUnmatchedAttempts?: number;
  /**
   * Asks for an incremental catalog sync of a supplier soon (a debounced catalogSync job): how a
   * pushed catalog change (Taobao item_StockChanged / item_PriceChanged) reaches the catalog.
   */
  requestCatalogSync?: (supplierId: string) => Promise<unknown>;
}

export type InboundOutcome = 'processed' | 'ignored' | 'skipped' | 'retry';

const ORDER_EVENTS = new Set<SupplierEvent['type']>(['order.split', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.issued', 'order.failed', 'order.updated']);

/**
 * Applies one stored supplier event: parsed by its connector, each order event applied to its
 * line's timeline, and the row marked processed, all in one transaction (the row is locked, so a
 * second job for it does nothing). Lines whose workflow should look again are woken after commit.
 *
 *   no line matches yet ──▶ attempts left? ──yes──▶ stays 'received' (the job is retried)
 *                                     │ no
 *                                     ▼
 *                               'ignored' (not ours)
 */
export async function processInboundEvent(deps: InboundDeps, inboundEventId: string): Promise<InboundOutcome> {
  const wakes = new Set<string>();
  const outcome = await deps.em.fork().transactional(async (tx) => {
    const row = await lockInboundEvent(tx, inboundEventId);
    if (!row || row.status !== 'received') return 'skipped' as const;
    const finish = (status: 'processed' | 'ignored' | 'failed', error: string | null = null) => finishInboundEvent(tx, inboundEventId, status, deps.clock.now(), error);
    const connector = deps.connectors.get(row.supplier);
    if (!connector) {
      await finish('ignored', 'supplier not configured');
      return 'ignored' as const;
    }
    let events: SupplierEvent[];
    try {
      events = connector.inbound.parse({ eventId: row.event_id, eventType: row.event_type ?? '', raw: row.body });
    } catch (err) {
      await finish('failed', err instanceof Error ? err.message : String(err));
      return 'ignored' as const;
    }
    const orderEvents = events.filter((e) => ORDER_EVENTS.has(e.type)) as Extract<SupplierEvent, { supplierOrderId: string }>[];
    // A pushed catalog change: the supplier's incremental sync (modified since its last run) reads
    // those SKUs again soon. Asked before the row is marked, so a lost request is asked again; a
    // request twice is one sync. JD's pool messages are read by the pool sync itself.
    if (events.some((e) => e.type === 'catalog.changed') && connector.capabilities.catalogUpdates !== 'message-pool' && deps.requestCatalogSync) {
      await deps.requestCatalogSync(row.supplier);
      if (!orderEvents.length) {
        await finish('processed');
        return 'processed' as const;
      }
    }
    // A supplier's after-sale moved: the tickets following it look again now (their runs also ask
    // on their own, so one that arrives before the ticket recorded the after-sale is not lost).
    let afterSalesMatched = 0;
    for (const event of events) {
      if (event.type !== 'aftersale.updated') continue;
      for (const ticketId of await ticketsOfSupplierAfterSale(tx, row.supplier, event.afterSaleId)) {
        wakes.add(ticketId);
        afterSalesMatched++;
      }
    }
    if (!orderEvents.length) {
      // JD's catalog messages are the pool sync's.
      await finish(afterSalesMatched ? 'processed' : 'ignored');
      return afterSalesMatched ? ('processed' as const) : ('ignored' as const);
    }
    let matched = 0;
    for (const event of orderEvents) {
      const ref = await findLineOf(tx, row.supplier, { supplierOrderId: event.supplierOrderId, ...('reference' in event && event.reference ? { reference: event.reference } : {}) });
      if (!ref) {
        // Not a line's order: maybe the replacement an after-sales ticket sent; its run looks now.
        const tickets = await ticketsOfReplacement(tx, row.supplier, event.supplierOrderId);
        for (const ticketId of tickets) wakes.add(ticketId);
        matched += tickets.length;
        continue;
      }
      matched++;
      const applied = await applyOrderEvent(tx, deps.clock, row.supplier, event, ref);
      if (applied.wake) wakes.add(ref.lineId);
    }
    if (!matched) {
      if (row.attempts + 1 < (deps.maxUnmatchedAttempts ?? 5)) {
        await countInboundAttempt(tx, inboundEventId, 'no line for this supplier order yet');
        return 'retry' as const;
      }
      await finish('ignored', 'no line for this supplier order');
      return 'ignored' as const;
    }
    await finish('processed');
    return 'processed' as const;
  });
  for (const subjectId of wakes) await wakeSubjectRuns(deps.em.fork(), deps.clock, deps.scheduleRun, subjectId);
  return outcome;
}
