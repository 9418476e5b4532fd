import type { EntityManager } from '@mikro-orm/postgresql';
import type { PollInbound, SupplierConnector } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { storeInboundEvent } from './inbound-events.ts';

/**
 * Reads JD's message pool for order messages (split, shipped, delivered, cancelled, payment
 * failed, after-sale): each batch is stored in inbound_event (deduplicated by message id) and
 * committed, and only then deleted at JD, so a crash anywhere re-reads the batch and nothing is
 * lost. Returns the ids of the stored rows to process (duplicates of rows already stored included:
 * processing a processed row does nothing).
 */
export async function pollOrderMessages(deps: { em: EntityManager; clock: Clock }, connector: SupplierConnector, opts: { maxBatches?: number } = {}): Promise<string[]> {
  const inbound = connector.inbound as PollInbound;
  if (inbound.mode !== 'poll') throw new TypeError(`${connector.id} has no message pool`);
  const stored: string[] = [];
  for (let batch = 0; batch < (opts.maxBatches ?? 20); batch++) {
    const fetched = await inbound.fetch(inbound.orderTypes);
    if (fetched.length === 0) break;
    const ids = await deps.em.fork().transactional(async (tx) => {
      const out: string[] = [];
      for (const m of fetched) out.push((await storeInboundEvent(tx, deps.clock, { supplier: connector.id, eventId: m.eventId, eventType: m.eventType, body: m.raw })).id);
      return out;
    });
    // Committed: now JD may forget them.
    await inbound.acknowledge(fetched.map((m) => m.eventId));
    stored.push(...ids);
  }
  return stored;
}
