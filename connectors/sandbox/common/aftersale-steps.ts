import type { SandboxContext } from './context.ts';

/**
 * When an after-sale moves at a sandbox supplier, in sandbox time from its apply, the same for
 * JD, Taobao and brands (each in its own words): reviewed (approved, or refused under the
 * afterSaleRefusal fault), a return's goods received back, refunded (or an exchange's replacement
 * shipped), then closed. A step is never due before the one it follows, whatever the delays say.
 */
export interface AfterSaleTimes {
  reviewAt: Date;
  receivedAt: Date;
  refundAt: Date;
  /** JD closes a refunded service order (step 60) one review delay after the refund. */
  closeAt: Date;
}

export function afterSaleTimes(lifecycle: SandboxContext['lifecycle'], appliedAt: Date): AfterSaleTimes {
  const review = lifecycle.afterSaleReviewAfterMs ?? lifecycle.shipAfterMs;
  const received = Math.max(review, lifecycle.returnReceivedAfterMs ?? lifecycle.transitAfterMs);
  const refund = Math.max(received, lifecycle.afterSaleRefundAfterMs ?? lifecycle.deliverAfterMs);
  const at = (ms: number) => new Date(appliedAt.getTime() + ms);
  return { reviewAt: at(review), receivedAt: at(received), refundAt: at(refund), closeAt: at(refund + review) };
}

/** Why a sandbox supplier refuses an after-sale under the afterSaleRefusal fault. */
export const AFTER_SALE_REFUSAL_REASON = '商品已使用，影响二次销售，不符合售后条件';

/**
 * What the supplier grants at review: every unit asked and its money, or, under the
 * afterSalePartialRefund fault, one unit fewer (half the money when only one unit was asked), so a
 * partial refund always shows as fewer units or fewer fen than asked.
 */
export function grantedAtReview(units: number, unitFen: number, partial: boolean): { units: number; fen: number } {
  if (!partial) return { units, fen: units * unitFen };
  if (units > 1) return { units: units - 1, fen: (units - 1) * unitFen };
  return { units, fen: Math.floor(unitFen / 2) };
}
