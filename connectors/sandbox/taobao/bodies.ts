import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import type { WirePurchaseOrder, WireRefund, WireShippedContent, WireTraceStep } from '../../taobao/wire.ts';
import { fenToYuan } from '../../shared/yuan.ts';
import { skuIdOf } from './catalog.ts';
import type { SandboxOrder, SandboxRefund } from './state.ts';

const time = formatUtc8Timestamp;

/** A purchase order as taobao.fenxiao.order.create / orders.get answer it (with TOP's receiver object). */
export function poBody(o: SandboxOrder): WirePurchaseOrder & { receiver: SandboxOrder['receiver'] } {
  const goodsFen = o.lines.reduce((sum, l) => sum + l.priceFen * l.num, 0);
  return {
    fenxiao_id: Number(o.fenxiaoId),
    dist_order_no: o.distOrderNo,
    status: o.status,
    created: time(o.created),
    modified: time(o.modified),
    total_fee: fenToYuan(goodsFen + o.postFeeFen),
    post_fee: fenToYuan(o.postFeeFen),
    ...(o.logistics
      ? { logistics_company_name: o.logistics.name, logistics_company_code: o.logistics.code, logistics_id: o.logistics.waybill, consign_time: time(o.logistics.consignTime) }
      : {}),
    ...(o.closeReason ? { close_reason: o.closeReason } : {}),
    receiver: o.receiver,
    sub_purchase_orders: {
      sub_purchase_order: o.lines.map((l) => ({
        id: Number(l.subId),
        item_id: Number(l.itemId),
        sku_id: skuIdOf(l.itemId),
        title: l.title,
        num: l.num,
        price: fenToYuan(l.priceFen),
        total_fee: fenToYuan(l.priceFen * l.num),
        status: o.status,
      })),
    },
  };
}

/** Trace steps in TOP's form, oldest first. */
export function traceSteps(o: SandboxOrder): WireTraceStep[] {
  return [...o.trace].sort((a, b) => a.at.getTime() - b.at.getTime()).map((t) => ({ status_time: time(t.at), status_desc: t.desc, action: t.action }));
}

/** fenxiao_OrderShipped content *(ours)*: the waybill, the parcel's items and the whole trace so far. */
export function shippedContent(o: SandboxOrder): WireShippedContent {
  return {
    fenxiao_id: Number(o.fenxiaoId),
    dist_order_no: o.distOrderNo,
    status: o.status,
    logistics_company_name: o.logistics?.name,
    logistics_company_code: o.logistics?.code,
    logistics_id: o.logistics?.waybill ?? '',
    consign_time: o.logistics ? time(o.logistics.consignTime) : undefined,
    modified: time(o.modified),
    items: o.lines.map((l) => ({ item_id: Number(l.itemId), num: l.num })),
    trace: traceSteps(o),
  };
}

/** fenxiao_OrderClosed content *(ours)*. */
export function closedContent(o: SandboxOrder): object {
  return { fenxiao_id: Number(o.fenxiaoId), dist_order_no: o.distOrderNo, close_reason: o.closeReason, modified: time(o.modified) };
}

/** A refund as taobao.fenxiao.refund.create / refund.get answer it. */
export function refundBody(r: SandboxRefund): WireRefund {
  return {
    refund_id: Number(r.refundId),
    purchase_order_id: Number(r.fenxiaoId),
    sub_order_id: Number(r.subOrderId),
    dist_refund_no: r.distRefundNo,
    item_id: Number(r.itemId),
    num: r.num,
    is_return_goods: r.isReturnGoods,
    refund_status: r.status,
    refund_fee: fenToYuan(r.feeFen),
    refund_desc: r.desc,
    ...(r.agreedNum !== undefined ? { agreed_num: r.agreedNum } : {}),
    ...(r.agreedFeeFen !== undefined ? { agreed_refund_fee: fenToYuan(r.agreedFeeFen) } : {}),
    ...(r.refuseReason ? { refuse_reason: r.refuseReason } : {}),
    apply_time: time(r.created),
    modified: time(r.modified),
  };
}
