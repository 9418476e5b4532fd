import { maskCode } from '../../lines/issued.ts';
import { addVoucher } from '../../../src/orders/voucher-store.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { AWAIT_REPLACEMENT, SETTLE } from '../step-ids.ts';
import { ticketOf } from '../ticket-step.ts';

/**
 * Waits for the replacement: a reship settles the ticket once its parcel ships (carrier and
 * tracking number on the resolution), a reissue once the provider issued it (new codes sealed
 * with the line's vouchers, shown masked). A replacement the supplier cancels or fails is a
 * permanent failure: the run compensates and the member is refunded instead (onFailed).
 * Compensation: none (it reads; the replacement is undone by send-replacement's).
 * Retries run out → hold: the replacement may still arrive.
 */
export const awaitReplacementStep: Step<TicketState, TicketServices> = {
  id: AWAIT_REPLACEMENT,
  async run(ctx, s) {
    const { replacement, decision } = ctx.state as Required<TicketState>;
    const connector = s.connectors.get(replacement.supplierId);
    if (!connector) throw new AppError('unavailable', `supplier ${replacement.supplierId} is not configured`, { retryable: true });
    const order = await connector.getOrder(replacement.supplierOrderId);
    if (order.status === 'cancelled' || order.status === 'failed') {
      throw new AppError('unavailable', `${replacement.supplierId} ${order.status} the replacement ${replacement.supplierOrderId}${order.failureReason ? `: ${order.failureReason}` : ''}`, { retryable: false });
    }
    if (decision.action === 'reissue') {
      if (order.status !== 'issued') return { wait: s.issuancePollMs, output: { status: order.status } };
      const t = await ticketOf(ctx);
      const vouchers = order.vouchers.map((v) => maskCode(v.code));
      return {
        next: SETTLE,
        state: { replaced: true, evidence: { providerOrderId: order.supplierOrderId, ...(order.updatedAt ? { issuedAt: new Date(order.updatedAt).toISOString() } : {}), ...(vouchers.length ? { vouchers } : {}) } },
        output: { status: 'issued', vouchers: vouchers.length },
        commit: async (tx) => {
          for (const v of order.vouchers) {
            await addVoucher(tx, ctx.clock, { lineId: t.line_id, attemptId: ctx.state.attemptId as string, code: s.crypto.seal(JSON.stringify(v)), masked: maskCode(v.code), expiresAt: v.expiresAt ?? null });
          }
        },
      };
    }
    const parcel = order.shipments[0] ?? order.children.flatMap((c) => c.shipments)[0];
    if (!parcel) return { wait: s.shipmentPollMs, output: { status: order.status } };
    return {
      next: SETTLE,
      state: { replaced: true, shipment: { supplierOrderId: order.supplierOrderId, carrier: parcel.carrier, trackingNo: parcel.trackingNo } },
      output: { status: order.status, carrier: parcel.carrier },
    };
  },
  whenRetriesRunOut: 'hold',
};
