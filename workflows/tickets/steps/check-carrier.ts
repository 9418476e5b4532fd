import { lineParcels } from '../../../src/aftersales/ticket-store.ts';
import { autoRemedy } from '../../../src/domain/aftersales.ts';
import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { CHECK_CARRIER, SETTLE } from '../step-ids.ts';
import { hubDecides, preempted, ticketOf, toAgent } from '../ticket-step.ts';

/**
 * Goods not received: the carrier's timeline decides. A parcel in `exception` or
 * `returned_to_sender`, or silent for longer than HUB_AFTERSALE_LOST_AFTER_MS (lost), settles it
 * with no agent: the units are sent again or refunded (HUB_AFTERSALE_REMEDY). A parcel still
 * moving is looked at again until it arrives or counts as lost. A parcel the carrier says was
 * delivered (or no parcel at all) goes to an agent, with what the supplier says of the order.
 * Compensation: none (it only reads).
 */
export const checkCarrierStep: Step<TicketState, TicketServices> = {
  id: CHECK_CARRIER,
  async run(ctx, s) {
    const t = await ticketOf(ctx);
    const stop = preempted(t);
    if (stop) return stop;
    const parcels = await lineParcels(ctx.em, t.line_id);
    const now = ctx.clock.now().getTime();
    const trouble = parcels.find((p) => p.status === 'exception' || p.status === 'returned_to_sender');
    const lastHeard = (p: (typeof parcels)[number]) => new Date(p.last_event_at ?? p.shipped_at ?? p.created_at).getTime();
    const lost = parcels.length > 0 && parcels.every((p) => p.status !== 'delivered' && now - lastHeard(p) > s.aftersale.lostAfterMs);
    if (trouble || lost) {
      const why = trouble ? `the carrier reports the parcel ${trouble.status}` : `no tracking news for over ${Math.round(s.aftersale.lostAfterMs / 3600_000)} h: the parcel is lost`;
      return { next: SETTLE, state: { decision: hubDecides(autoRemedy(s.aftersale.remedy, true), t.quantity, why) }, output: { parcels: parcels.length, verdict: trouble ? trouble.status : 'lost' } };
    }
    const delivered = parcels.some((p) => p.status === 'delivered');
    // Still moving: look again (a tracking event wakes the line, not the ticket) until it arrives or counts as lost.
    if (!delivered && parcels.length > 0) {
      const untilLost = Math.max(1_000, Math.min(...parcels.map((p) => lastHeard(p) + s.aftersale.lostAfterMs - now)) + 1_000);
      return { wait: Math.min(s.aftersale.pollMs, untilLost), output: { parcels: parcels.length, verdict: 'moving' } };
    }
    let supplierSays = 'unknown';
    const connector = ctx.state.supplierId ? s.connectors.get(ctx.state.supplierId) : undefined;
    if (connector && ctx.state.supplierOrderId) supplierSays = (await connector.getOrder(ctx.state.supplierOrderId)).status;
    return toAgent(ctx, delivered ? 'the carrier says the parcel was delivered: check with the member' : 'the line has no parcel the carrier knows of', { supplierOrderStatus: supplierSays, parcels: parcels.map((p) => ({ carrier: p.carrier, trackingNo: p.tracking_no, status: p.status })) });
  },
};
