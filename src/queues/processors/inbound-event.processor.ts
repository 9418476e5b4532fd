import { AppError } from '../../domain/errors.ts';
import { pollOrderMessages } from '../../supplier-events/jd-order-messages.ts';
import { type InboundDeps, processInboundEvent } from '../../supplier-events/process-inbound.ts';
import type { Payload } from '../registry.ts';

/**
 * Supplier events: applies one stored event, or reads a message pool (JD) and applies what it
 * stored. An event whose line is not known yet is thrown back so BullMQ retries it later.
 */
export async function processInbound(job: Payload<'inboundEvent'>, deps: InboundDeps) {
  if (job.task === 'process') {
    const outcome = await processInboundEvent(deps, job.inboundEventId);
    if (outcome === 'retry') throw new AppError('unavailable', `supplier event ${job.inboundEventId} has no line yet`);
    return { outcome };
  }
  const connector = deps.connectors.get(job.supplierId);
  if (!connector) throw new AppError('not_found', `no connector for supplier ${job.supplierId}`, { retryable: false });
  const ids = await pollOrderMessages(deps, connector);
  // What fails here stays 'received' and is picked up by the reconciler.
  for (const id of ids) await processInboundEvent(deps, id).catch(() => 'retry');
  return { stored: ids.length };
}
