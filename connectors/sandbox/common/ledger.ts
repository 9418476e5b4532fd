/**
 * One order a sandbox supplier holds, in the same shape for every supplier, so a check outside
 * the hub (the chaos run) can hold the hub's records against what each supplier did: a line
 * placed, shipped, charged or issued twice, or cancelled in the hub while the supplier fulfils it.
 * Served by `GET /{supplierId}/sandbox/orders` (a control route, not part of the supplier's API).
 */
export interface LedgerOrder {
  /** The hub's reference the order was placed under: thirdOrder, dist_order_no, clientReference or customer_order_no. */
  reference: string;
  supplierOrderId: string;
  /** The supplier's own status word (JD occupied/confirmed/cancelled, TOP's WAIT_SELLER_SEND_GOODS…, brand accepted…, top-up processing/success/failed). */
  status: string;
  /** Units ordered, all lines together. */
  units: number;
  lines: { sku: string; units: number }[];
  /** The supplier holds it as an order it will fulfil (or has): not cancelled, closed or failed. */
  live: boolean;
  /** The supplier bills for it: JD once confirmed, Taobao while not closed, a brand while not cancelled, a top-up while charged and not refunded. */
  charged: boolean;
  /** At least one parcel left the warehouse. */
  shipped: boolean;
  delivered: boolean;
  /** Codes or a recharge were handed over (brand e-vouchers, top-ups that succeeded). */
  issued: boolean;
  cancelled: boolean;
  createdAt: string;
}

/**
 * One after-sale a sandbox supplier holds (a JD service order, a Taobao refund, a brand return), in
 * one shape for every supplier; top-up providers take none. Served by
 * `GET /{supplierId}/sandbox/after-sales` (a control route, not part of the supplier's API).
 */
export interface LedgerAfterSale {
  /** The hub's reference the after-sale was applied under: thirdApplyId, dist_refund_no or clientReference. */
  reference: string;
  /** The supplier's id of it: afsServiceId, refund_id or the return id. */
  supplierAfterSaleId: string;
  /** The supplier's id of the order it is about. */
  supplierOrderId: string;
  /** The hub's reference of that order, when the supplier still holds it. */
  orderReference: string | null;
  /** What the customer asked for: money back only, goods back for money, or another unit. */
  type: 'refund' | 'return' | 'exchange';
  /** The supplier's own status (JD's step 10…60, TOP's refund_status 1…12, the brand's requested/approved/received/rejected/refunded/completed). */
  status: string;
  lines: { sku: string; units: number }[];
  /** Still moving: not yet refunded, received, rejected, closed or done. */
  open: boolean;
  createdAt: string;
}
