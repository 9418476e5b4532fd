/**
 * JD VOP methods the hub uses, and the codes they answer with. The method names are modelled on
 * JD VOP's own (biz.product.*, biz.price.*, biz.stock.*, biz.order.*, biz.afterSale.*,
 * biz.message.*, biz.address.*) so that pointing the connector at the real platform is mostly a
 * config change; parameter and field names follow VOP where we know them (thirdOrder, jdOrderId,
 * skuNums, cOrder, afsServiceId). Codes marked (ours) are the sandbox's and fixtures' choice where
 * suppliers.md leaves them open; keep them stable, recorded samples depend on them.
 */
export const JD_METHODS = {
  pools: 'biz.product.PageNum.query', // product pools: [{page_num, name}]
  poolSkus: 'biz.product.sku.query', // SKU ids of a pool page: {skuIds, pageCount}
  details: 'biz.product.detail.query', // ≤ 100 SKUs
  prices: 'biz.price.sellPrice.get', // ≤ 100 SKUs, yuan strings
  stock: 'biz.stock.fororder.batget', // ≤ 100 SKUs for one area "p_c_co"
  submit: 'biz.order.unite.submit', // thirdOrder, submitState=0: stock pre-occupied
  confirm: 'biz.order.occupyStock.confirm',
  cancel: 'biz.order.cancelorder', // only while pre-occupied
  findByThirdOrder: 'biz.order.jdOrderIDByThridOrderID.query',
  order: 'biz.order.jdOrder.query', // parent + child orders (cOrder), parcels with waybill and track (ours: one call)
  track: 'biz.order.orderTrack.query', // waybills and track of an order or one child
  afterSaleApply: 'biz.afterSale.apply',
  afterSaleStatus: 'biz.afterSale.status',
  messages: 'biz.message.get',
  deleteMessages: 'biz.message.del',
  provinces: 'biz.address.allProvinces.query',
  cities: 'biz.address.citysByProvinceId.query',
  counties: 'biz.address.countysByCityId.query',
  towns: 'biz.address.townsByCountyId.query', // empty for counties without a fourth level
} as const;

/** The envelope key of a method's answer: dots become underscores, plus `_response`. */
export const responseKey = (method: string): string => `${method.replaceAll('.', '_')}_response`;

/** Business result codes inside `result.resultCode`. */
export const JD_RESULT = {
  OK: '0000',
  STOCK_SHORT: '3008',
  NOT_SELLABLE_IN_AREA: '3004',
  DUPLICATE_THIRD_ORDER: '0008',
  NOT_CANCELLABLE: '3102', // (ours) confirmed orders can only be undone by an after-sale
  ORDER_NOT_FOUND: '3103', // (ours)
  SKU_NOT_FOUND: '2001', // (ours) unknown or off-shelf SKU: not sellable anywhere
  BAD_PARAM: '1001', // (ours)
} as const;

/** Platform codes in `error_response.code`. */
export const JD_PLATFORM = {
  BAD_SIGN: '1002', // (ours)
  BAD_TOKEN: '1003', // (ours) unknown access token
  TOKEN_EXPIRED: '1004',
  RATE_LIMITED: '1006', // (ours)
  SYSTEM_BUSY: '1008', // (ours)
  BAD_TIMESTAMP: '1009', // (ours) more than 10 minutes off
  UNKNOWN_METHOD: '1010', // (ours)
} as const;

/** Message types in the pool. */
export const JD_MESSAGE = { SPLIT: 1, PRICE: 2, LISTING: 4, DELIVERED: 5, POOL: 6, CANCELLED: 10, SHIPPED: 12, PAYMENT_FAILED: 14, PRODUCT: 16, AFTER_SALE: 31 } as const;

/** Default listing area: 北京 > 北京市 > 朝阳区 (JD ids of the sandbox tree). */
export const JD_DEFAULT_AREA_NAMES = { province: '北京', city: '北京市', district: '朝阳区' } as const;
