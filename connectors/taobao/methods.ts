/**
 * The TOP methods this connector calls, modelled on Taobao's 供销 (fenxiao) APIs.
 *
 * Real TOP has several generations of distributor order APIs; we keep one name per operation:
 * - taobao.fenxiao.products.get       catalog pages (page_no, page_size ≤ 100, start_modified);
 *                                     SKU stock (default area 北京) and prices are in the body
 * - taobao.fenxiao.product.skus.get   live SKU stock and price for one area (`area_id` = GB/T 2260
 *                                     province code); batch `product_ids` ≤ 50 *(ours: real TOP takes one)*
 * - taobao.fenxiao.order.create       purchase order with the distributor's `dist_order_no` *(ours)*;
 *                                     a repeated number answers the existing order
 * - taobao.fenxiao.orders.get         by `purchase_order_id` or by `dist_order_no` (lost answers)
 * - taobao.fenxiao.order.close        cancel, only before shipment
 * - taobao.fenxiao.refund.create / taobao.fenxiao.refund.get   after-sales, idempotent on
 *                                     `dist_refund_no` *(ours)*
 * - taobao.logistics.trace.search     the waybill's trace (`tid` = purchase order id)
 */
export const METHODS = {
  productsGet: 'taobao.fenxiao.products.get',
  skusGet: 'taobao.fenxiao.product.skus.get',
  orderCreate: 'taobao.fenxiao.order.create',
  ordersGet: 'taobao.fenxiao.orders.get',
  orderClose: 'taobao.fenxiao.order.close',
  refundCreate: 'taobao.fenxiao.refund.create',
  refundGet: 'taobao.fenxiao.refund.get',
  traceSearch: 'taobao.logistics.trace.search',
} as const;

/** A TOP method name this connector uses. */
export type TaobaoMethod = (typeof METHODS)[keyof typeof METHODS];

/** The key of a method's success envelope as suppliers.md has it: dots become underscores, plus `_response`. */
export function responseKey(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

/** The keys a success envelope may use: suppliers.md's, and live TOP's, which drops the `taobao.` prefix. */
export function responseKeys(method: string): string[] {
  const full = responseKey(method);
  return method.startsWith('taobao.') ? [full, responseKey(method.slice('taobao.'.length))] : [full];
}

/** Largest page TOP serves from taobao.fenxiao.products.get. */
export const MAX_PAGE_SIZE = 100;
/** Largest batch of `product_ids` taobao.fenxiao.product.skus.get takes *(ours)*. */
export const MAX_SKU_BATCH = 50;

/**
 * Business sub_codes (`error_response.code` 15 with an `isv.` sub_code) *(ours, after TOP's naming)*.
 * `isp.` sub_codes with code 15 are platform failures and are retried.
 */
export const SUB_CODES = {
  stockNotEnough: 'isv.stock-not-enough',
  itemNotExist: 'isv.item-not-exist',
  itemOffShelf: 'isv.item-off-shelf',
  areaNotSupport: 'isv.area-not-support',
  orderNotExist: 'isv.order-not-exist',
  orderNotClosable: 'isv.order-not-closable',
  refundNotExist: 'isv.refund-not-exist',
  refundNotAllowed: 'isv.refund-not-allowed',
  invalidParameter: 'isv.invalid-parameter',
  serviceUnavailable: 'isp.remote-service-unavailable',
  callLimited: 'accesscontrol.limited-by-app-access-count',
  invalidTimestamp: 'invalid-timestamp',
} as const;
