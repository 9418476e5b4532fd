import { z } from 'zod';

/**
 * The top-up platform's wire shapes (suppliers.md "Top-up / virtual providers"); the sandbox serves
 * them and the connector parses them, so both read the same definitions.
 *
 * Every request is `POST /api` with a JSON body `{app_key, method, timestamp, version: "2.0",
 * biz_content, sign}`. Every answer is HTTP 200 with the envelope *(ours)*
 *
 *   {"code": "0000", "message": "success", "data": {…}}        success
 *   {"code": "2003", "message": "…", "data": {…the existing order…}}   duplicate customer_order_no
 *   {"code": "<other>", "message": "…", "data": null | {…details}}    failure
 *
 * HTTP 5xx / 429 happen only at the platform's edge (gateways), never for business answers.
 */

/** Method names of the platform. */
export const TOPUP_METHODS = {
  productList: 'product.list.get',
  directAdd: 'order.direct.add',
  cardAdd: 'order.card.add',
  orderInfo: 'order.info.get',
  balance: 'balance.get',
} as const;

/**
 * Envelope codes. 1001, 2001, 2002, 2003 and 5000 are the ones suppliers.md names; the rest are
 * ours, needed for answers the design leaves open (marked below).
 */
export const TOPUP_CODES = {
  ok: '0000',
  /** ours: missing or malformed parameter (a bug on our side). */
  badRequest: '1000',
  badSign: '1001',
  /** ours: unknown app_key. */
  unknownApp: '1002',
  /** ours: call frequency over the account's limit; `data.retry_after` is in seconds. */
  rateLimited: '1003',
  /** Product unavailable; `data.reason` (ours) says `off_shelf` or `out_of_stock` (card stock / channel exhausted). */
  productUnavailable: '2001',
  insufficientBalance: '2002',
  duplicateOrder: '2003',
  /** ours: no order for that customer_order_no / order_id. */
  orderNotFound: '2004',
  systemBusy: '5000',
} as const;

/** The most products one `product.list.get` page returns *(ours)*. */
export const MAX_PAGE_SIZE = 100;

/** Request parameters (signed); `biz_content` is the business parameters as a JSON string. */
export const ApiRequest = z.object({
  app_key: z.string().min(1),
  method: z.string().min(1),
  timestamp: z.string().min(1),
  version: z.literal('2.0'),
  biz_content: z.string(),
  sign: z.string().min(1),
});
export type ApiRequest = z.infer<typeof ApiRequest>;

/** The answer envelope. */
export const Envelope = z.object({ code: z.string(), message: z.string().default(''), data: z.unknown().optional() });
export type Envelope = z.infer<typeof Envelope>;

export const TopupType = z.enum(['phone_topup', 'data', 'video_membership', 'voucher']);

/** One product of `product.list.get`. */
export const WireProduct = z.object({
  product_id: z.string(),
  name: z.string().default(''),
  type: TopupType,
  platform: z.string(),
  face_value_fen: z.number().int(),
  cost_fen: z.number().int(),
  status: z.enum(['on', 'off']),
});
export type WireProduct = z.infer<typeof WireProduct>;

/** biz_content of `product.list.get` *(ours)*: pages, or only the given ids. */
export const ProductListBiz = z.object({
  page_no: z.number().int().min(1).default(1),
  page_size: z.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
  product_ids: z.array(z.string()).optional(),
});

/** data of `product.list.get`. */
export const ProductListData = z.object({
  total: z.number().int(),
  page_no: z.number().int(),
  page_size: z.number().int(),
  products: z.array(WireProduct),
});
export type ProductListData = z.infer<typeof ProductListData>;

/** biz_content of `order.direct.add` (phone credit, data, account membership). */
export const DirectAddBiz = z.object({
  customer_order_no: z.string().min(1).max(64),
  product_id: z.string().min(1),
  charge_account: z.string().min(1),
  buy_num: z.number().int().min(1).max(100),
});

/** biz_content of `order.card.add` (voucher codes). */
export const CardAddBiz = DirectAddBiz.omit({ charge_account: true });

/** biz_content of `order.info.get`: by the hub's `customer_order_no` (spec) or the platform's `order_id` (ours). */
export const OrderInfoBiz = z.union([z.object({ customer_order_no: z.string().min(1) }), z.object({ order_id: z.string().min(1) })]);

/** A voucher as the platform sends it: number and password each base64(IV ‖ AES-256-GCM ciphertext ‖ tag). */
export const WireCard = z.object({ card_number: z.string(), card_password: z.string(), expire_time: z.string() });
export type WireCard = z.infer<typeof WireCard>;

export const OrderStatus = z.enum(['untreated', 'processing', 'success', 'failed']);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** An order as `order.*.add`, `order.info.get` and the 2003 answer carry it (times UTC+8; empty until known). */
export const WireOrder = z.object({
  order_id: z.string(),
  customer_order_no: z.string(),
  product_id: z.string(),
  type: TopupType,
  charge_account: z.string().default(''),
  buy_num: z.number().int(),
  cost_fen: z.number().int(),
  total_cost_fen: z.number().int(),
  order_status: OrderStatus,
  create_time: z.string(),
  finish_time: z.string().default(''),
  recharge_description: z.string().default(''),
  cards: z.array(WireCard).default([]),
});
export type WireOrder = z.infer<typeof WireOrder>;

/** data of `balance.get`. */
export const BalanceData = z.object({ balance_fen: z.number().int() });

/** The result callback the platform posts to the hub (every field but `sign` is signed). */
export const CallbackBody = z.object({
  order_id: z.string(),
  customer_order_no: z.string(),
  /** `success` or `failed`; anything else is kept so an unknown status is ignored, not rejected. */
  order_status: z.string(),
  recharge_description: z.string().default(''),
  charge_finish_time: z.string().default(''),
  timestamp: z.string(),
  sign: z.string(),
});
export type CallbackBody = z.infer<typeof CallbackBody>;
