/**
 * The job id of each kind of work, in one place. An id names the work, so the same work asked for
 * twice while it waits is one job (BullMQ ignores an add under an id it holds): a wake-up of a run
 * is one job per wake (the run's `wakes` counter), a mall's repricing or a supplier's pushed sync
 * one waiting job at a time.
 */
export const jobIds = {
  /** The `wakes`-th wake-up of a workflow run (0: the first, written with the order). */
  workflowWake: (runId: string, wakes: number) => `${runId}-${wakes}`,
  /** A mall's catalog repricing. */
  reprice: (mallId: string) => `reprice-${mallId}`,
  /** Applying one stored supplier event. */
  inboundEvent: (inboundEventId: string) => `ie-${inboundEventId}`,
  /** A sync an admin asked for, one per supplier and mode. */
  catalogSync: (supplierId: string, mode: 'full' | 'incremental') => `${mode}-${supplierId}`,
  /** An incremental sync a supplier's catalog push asked for (a waiting one absorbs the next push). */
  pushedCatalogSync: (supplierId: string) => `pushed-${supplierId}`,
} as const;
