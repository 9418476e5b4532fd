import { z } from 'zod';
import { yuanToFen } from '../shared/yuan.ts';

// The TOP bodies this connector reads, checked once at the edge so a changed answer becomes
// invalid_response instead of a wrong order. Fields marked (ours) are not in TOP's own objects.
// The sandbox builds its answers from the `z.input` types below, so both sides stay in step.

/** TOP ids arrive as JSON numbers (or strings for big ones); the hub keeps them as strings. */
const Id = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));
/** Money in yuan as TOP sends it ("121.37"), read as integer fen. */
const Money = z
  .union([z.string(), z.number()])
  .refine((v) => yuanToFen(v) !== undefined, 'not a yuan amount')
  .transform((v) => yuanToFen(v) ?? 0);

/** A TOP trace step (taobao.logistics.trace.search, and inside shipping pushes). */
export const TraceStep = z.object({ status_time: z.string(), status_desc: z.string(), action: z.string() });

/** One SKU of a fenxiao product; `product_id` and `status` are (ours) on taobao.fenxiao.product.skus.get. */
export const FenxiaoSku = z.object({
  id: Id,
  product_id: Id.optional(),
  name: z.string().optional(),
  outer_id: z.string().optional(),
  quantity: z.number().int(),
  cost_price: Money,
  standard_price: Money.optional(),
  status: z.enum(['up', 'down']).optional(),
});

/** A fenxiao product; barcode, brand_name and category_path are (ours); properties are `name:value;…`. */
export const FenxiaoProduct = z.object({
  pid: Id,
  name: z.string(),
  outer_id: z.string().optional(),
  barcode: z.string().optional(),
  brand_name: z.string().optional(),
  category_id: Id.optional(),
  category_path: z.string().optional(),
  pictures: z.string().optional(),
  properties: z.string().optional(),
  standard_price: Money.optional(),
  cost_price: Money.optional(),
  quantity: z.number().int().optional(),
  status: z.enum(['up', 'down']),
  created: z.string().optional(),
  modified: z.string().optional(),
  skus: z.object({ fenxiao_sku: z.array(FenxiaoSku) }).optional(),
});

/** One line of a purchase order. */
export const SubPurchaseOrder = z.object({
  id: Id,
  item_id: Id,
  sku_id: Id.optional(),
  title: z.string().optional(),
  num: z.number().int(),
  price: Money.optional(),
  total_fee: Money.optional(),
  status: z.string().optional(),
});

/** A distributor purchase order; `dist_order_no` is (ours): the distributor's own unique number. */
export const PurchaseOrder = z.object({
  fenxiao_id: Id,
  dist_order_no: z.string(),
  status: z.string(),
  created: z.string().optional(),
  modified: z.string().optional(),
  total_fee: Money.optional(),
  post_fee: Money.optional(),
  logistics_company_name: z.string().optional(),
  logistics_company_code: z.string().optional(),
  logistics_id: z.string().optional(),
  consign_time: z.string().optional(),
  close_reason: z.string().optional(),
  sub_purchase_orders: z.object({ sub_purchase_order: z.array(SubPurchaseOrder) }).optional(),
});

/**
 * A refund (after-sale); `refund_status` is TOP's number (1 applied … 5 refunded); `refund_fee` is
 * what the distributor asked back. (ours): `dist_refund_no`; what the seller agreed to, once it
 * did: `agreed_num` units and `agreed_refund_fee` (can be less than asked); `refuse_reason` when it
 * refused (6, 10).
 */
export const RefundDetail = z.object({
  refund_id: Id,
  purchase_order_id: Id,
  sub_order_id: Id.optional(),
  dist_refund_no: z.string().optional(),
  item_id: Id.optional(),
  num: z.number().int().optional(),
  is_return_goods: z.boolean().optional(),
  refund_status: z.number().int(),
  refund_fee: Money.optional(),
  refund_desc: z.string().optional(),
  agreed_num: z.number().int().optional(),
  agreed_refund_fee: Money.optional(),
  refuse_reason: z.string().optional(),
  apply_time: z.string().optional(),
  modified: z.string().optional(),
});

/** The inner bodies of each method's `…_response`. */
export const ProductsPage = z.object({ total_results: z.number().int(), products: z.object({ fenxiao_product: z.array(FenxiaoProduct) }).optional() });
export const SkusResult = z.object({ total_results: z.number().int(), skus: z.object({ fenxiao_sku: z.array(FenxiaoSku) }).optional() });
export const OrderCreated = z.object({ purchase_order: PurchaseOrder });
export const OrdersResult = z.object({ total_results: z.number().int(), purchase_orders: z.object({ purchase_order: z.array(PurchaseOrder) }).optional() });
export const CloseResult = z.object({ is_success: z.boolean() });
export const RefundResult = z.object({ refund_detail: RefundDetail });
export const TraceResult = z.object({
  tid: Id,
  out_sid: z.string().optional(),
  company_name: z.string().optional(),
  status: z.string().optional(),
  trace_list: z.object({ transit_step_info: z.array(TraceStep) }).optional(),
});

/** `error_response`, TOP's one failure form (always with HTTP 200). */
export const ErrorResponse = z.object({
  code: z.coerce.number().int(),
  msg: z.string().optional(),
  sub_code: z.string().optional(),
  sub_msg: z.string().optional(),
  request_id: z.string().optional(),
});
export type ErrorResponse = z.output<typeof ErrorResponse>;

/** `POST /oauth/token` answers (refresh grant). */
export const TokenResult = z.object({ access_token: z.string().min(1), refresh_token: z.string().optional(), expires_in: z.number().optional() });

/** Push contents (the JSON string in `content`) per topic (ours). */
export const ShippedContent = z.object({
  fenxiao_id: Id,
  dist_order_no: z.string().optional(),
  status: z.string(),
  logistics_company_name: z.string().optional(),
  logistics_company_code: z.string().optional(),
  logistics_id: z.string(),
  consign_time: z.string().optional(),
  modified: z.string(),
  items: z.array(z.object({ item_id: Id, num: z.number().int() })).default([]),
  trace: z.array(TraceStep).default([]),
});
export const ClosedContent = z.object({ fenxiao_id: Id, dist_order_no: z.string().optional(), close_reason: z.string().optional(), modified: z.string() });
/** `is_return_goods` (ours) tells a return's 12 (goods received, refund being paid) from a refund only's (agreed). */
export const RefundChangedContent = z.object({ refund_id: Id, purchase_order_id: Id.optional(), refund_status: z.number().int(), is_return_goods: z.boolean().optional(), modified: z.string() });
export const ItemChangedContent = z.object({ num_iids: z.array(Id), modified: z.string() });

/** The push envelope TOP posts to the hub. */
export const PushBody = z.object({
  topic: z.string(),
  content: z.string(),
  pub_time: z.string(),
  user_id: z.union([z.string(), z.number()]).optional(),
  nick: z.string().optional(),
  msg_id: z.string(),
  sign: z.string(),
});

export type WireProduct = z.input<typeof FenxiaoProduct>;
export type WireSku = z.input<typeof FenxiaoSku>;
export type WirePurchaseOrder = z.input<typeof PurchaseOrder>;
export type WireRefund = z.input<typeof RefundDetail>;
export type WireTraceStep = z.input<typeof TraceStep>;
export type WireShippedContent = z.input<typeof ShippedContent>;
