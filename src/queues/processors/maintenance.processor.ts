import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../domain/clock.ts';
import { wakeDueRuns } from '../../../workflows/engine/index.ts';
import { refreshBoard } from '../../board/board-refresh.ts';
import { lastCatalogChangeId, pruneCatalogChanges } from '../../catalog/catalog-changes-store.ts';
import { publishStalledLoad } from '../../catalog/first-load.ts';
import { mallsToReprice } from '../../catalog/mall-pricing.ts';
import { pruneEndedStaffSessions } from '../../malls/credential-store.ts';
import { dropExpiredWebhookSecrets } from '../../malls/mall-store.ts';
import { pendingInboundEvents } from '../../supplier-events/inbound-events.ts';
import { dueDeliveries, type DueDelivery } from '../../mall-webhooks/webhook-deliveries.ts';
import type { Payload } from '../registry.ts';
import { tellMallsCatalogChanged } from './catalog-sync.processor.ts';

/** Housekeeping jobs: small, idempotent, safe to run on any worker at any time. */
export async function processMaintenance(
  job: Payload<'maintenance'>,
  deps: {
    em: EntityManager;
    clock: Clock;
    catalogChangesRetentionMs?: number;
    /** How long an ended staff session is kept (its row: who signed in, when, until when). */
    staffSessionsRetentionMs?: number;
    enqueueReprice?: (mallId: string) => Promise<unknown>;
    scheduleRun?: (runId: string, wakes: number, delayMs: number) => Promise<void>;
    /** Queues a stored supplier event again (job id derived from its attempts, so a finished job never swallows it). */
    enqueueInbound?: (inboundEventId: string, attempts: number) => Promise<unknown>;
    inboundRequeueAfterMs?: number;
    /** Queues due webhook deliveries again (job ids from their attempts counts, so a stale job never swallows them). */
    requeueWebhookDeliveries?: (due: DueDelivery[]) => Promise<unknown>;
    indexMemoryMb?: number;
    leaseMs?: number;
  },
): Promise<{ affected: number }> {
  switch (job.task) {
    case 'expire-webhook-secrets': {
      return { affected: await dropExpiredWebhookSecrets(deps.em, deps.clock.now()) };
    }
    case 'prune-catalog-changes': {
      // The change feed is kept 30 days (configurable); older cursors start from what is left.
      const before = new Date(deps.clock.now().getTime() - (deps.catalogChangesRetentionMs ?? 30 * 86_400_000));
      return { affected: await pruneCatalogChanges(deps.em, before) };
    }
    case 'prune-staff-sessions': {
      const before = new Date(deps.clock.now().getTime() - (deps.staffSessionsRetentionMs ?? 30 * 86_400_000));
      return { affected: await pruneEndedStaffSessions(deps.em, before) };
    }
    case 'reprice-lagging-malls': {
      const lagging = await mallsToReprice(deps.em);
      for (const mallId of lagging) await deps.enqueueReprice?.(mallId);
      return { affected: lagging.length };
    }
    case 'wake-due-runs': {
      if (!deps.scheduleRun) return { affected: 0 };
      return { affected: await wakeDueRuns(deps.em, deps.clock, deps.scheduleRun) };
    }
    case 'requeue-inbound-events': {
      if (!deps.enqueueInbound) return { affected: 0 };
      const pending = await pendingInboundEvents(deps.em, deps.clock, deps.inboundRequeueAfterMs ?? 60_000);
      for (const e of pending) await deps.enqueueInbound(e.id, e.attempts);
      return { affected: pending.length };
    }
    case 'publish-catalog-load': {
      const before = await lastCatalogChangeId(deps.em);
      const loadDeps = { em: deps.em, clock: deps.clock, ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}), ...(deps.indexMemoryMb !== undefined ? { indexMemoryMb: deps.indexMemoryMb } : {}) };
      if (!(await publishStalledLoad(loadDeps))) return { affected: 0 };
      // Malls learn of the published items as after any sync that grew the change feed.
      await tellMallsCatalogChanged(deps.em, deps.clock, before);
      return { affected: 1 };
    }
    case 'refresh-board': {
      // Another worker's refresh still running (its lease) is left to finish: this run does nothing.
      const done = await refreshBoard(deps.em, deps.clock);
      return { affected: done ? done.orders + done.refunds + done.tickets : 0 };
    }
    case 'requeue-webhook-deliveries': {
      if (!deps.requeueWebhookDeliveries) return { affected: 0 };
      // A minute's grace: a delivery just made due is being queued by its own previous attempt.
      const due = await dueDeliveries(deps.em, deps.clock, 60_000);
      await deps.requeueWebhookDeliveries(due);
      return { affected: due.length };
    }
  }
}
