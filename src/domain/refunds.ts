/**
 * What to give back for units that could not be delivered, in integers: the line's paid totals
 * shared out by units, cumulative so that refunding a line piece by piece adds up to exactly
 * what was paid once every unit is refunded (no fen lost or invented by rounding).
 */
export function refundFor(paid: { points: number; cashFen: number }, quantity: number, alreadyRefundedUnits: number, units: number): { points: number; cashFen: number } {
  if (!Number.isInteger(units) || units < 0 || alreadyRefundedUnits < 0 || alreadyRefundedUnits + units > quantity) throw new RangeError('refund units out of range');
  const share = (total: number, n: number) => Math.floor((total * n) / quantity);
  return {
    points: share(paid.points, alreadyRefundedUnits + units) - share(paid.points, alreadyRefundedUnits),
    cashFen: share(paid.cashFen, alreadyRefundedUnits + units) - share(paid.cashFen, alreadyRefundedUnits),
  };
}
