import type { Context } from 'hono';
import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import { fenToYuan } from '../../shared/yuan.ts';
import { JD_MESSAGE as MSG, JD_METHODS as M, JD_RESULT as R } from '../../jd/methods.ts';
import { areaOf } from './areas.ts';
import { fail, ok } from './envelope.ts';
import { scheduleFulfilment, wholeOrder } from './lifecycle.ts';
import type { JdOrder, JdState, Parcel } from './state.ts';

type Params = Record<string, unknown>;

const parcelBody = (p: Parcel) => ({
  jdOrderId: p.jdOrderId, state: p.state, waybill: p.waybill, carrier: p.waybill ? '京东物流' : null, track: p.track,
  sku: p.lines.map((l) => ({ skuId: Number(l.skuId), num: l.num })),
});

/** The order as biz.order.jdOrder.query answers it: `cOrder` lists the children once JD has split it. */
export function orderBody(o: JdOrder) {
  return {
    jdOrderId: o.jdOrderId, thirdOrder: o.thirdOrder, submitState: o.state === 'occupied' ? 0 : 1, orderState: o.state === 'cancelled' ? 0 : 1,
    state: o.state, freight: fenToYuan(o.freightFen), orderPrice: fenToYuan(o.lines.reduce((a, l) => a + l.priceFen * l.num, 0)),
    sku: o.lines.map((l) => ({ skuId: Number(l.skuId), num: l.num, price: fenToYuan(l.priceFen) })),
    cOrder: o.split ? o.parcels.map(parcelBody) : [],
    parcels: o.parcels.map(parcelBody),
  };
}

function submit(c: Context, p: Params, state: JdState, now: Date): Response {
  const method = M.submit;
  const thirdOrder = String(p.thirdOrder ?? '');
  // Checked first: a repeated thirdOrder never reaches stock or creates a second order.
  const existing = state.byThirdOrder.get(thirdOrder);
  if (existing) return fail(c, method, R.DUPLICATE_THIRD_ORDER, '重复的thirdOrder', { jdOrderId: existing });
  const items = Array.isArray(p.sku) ? (p.sku as { skuId: unknown; num: unknown }[]) : [];
  if (!thirdOrder || items.length === 0 || items.length > 100 || !p.name || !p.mobile || !p.address || Number(p.submitState) !== 0) return fail(c, method, R.BAD_PARAM, '参数错误');
  const county = areaOf(Number(p.province), Number(p.city), Number(p.county), Number(p.town ?? 0));
  if (!county) return fail(c, method, R.NOT_SELLABLE_IN_AREA, '该地区不支持配送');
  const lines = [];
  for (const it of items) {
    const skuId = String(it.skuId);
    const num = Number(it.num);
    const sku = state.sku(skuId);
    if (!sku || !sku.onShelf) return fail(c, method, R.SKU_NOT_FOUND, `商品${skuId}不可售`, { skuId: Number(skuId) });
    if (!Number.isInteger(num) || num < 1) return fail(c, method, R.BAD_PARAM, '数量错误');
    if (!state.deliverable(skuId, county.provinceCode)) return fail(c, method, R.NOT_SELLABLE_IN_AREA, `商品${skuId}在该地区不可售`, { skuId: Number(skuId) });
    if (state.stock(skuId, county.provinceCode) < num || state.soldOutAtOrder(skuId)) return fail(c, method, R.STOCK_SHORT, `商品${skuId}库存不足`, { skuId: Number(skuId) });
    lines.push({ skuId, num, priceFen: sku.costFen });
  }
  for (const l of lines) state.hold(l.skuId, county.provinceCode, l.num);
  const jdOrderId = state.nextOrderId();
  const order: JdOrder = {
    jdOrderId, thirdOrder, lines, area: county, state: 'occupied', split: false, parcels: wholeOrder({ jdOrderId, lines }),
    freightFen: lines.reduce((a, l) => a + l.priceFen * l.num, 0) >= 9_900 ? 0 : 600,
    createdAt: now.toISOString(),
  };
  state.orders.set(jdOrderId, order);
  state.byThirdOrder.set(thirdOrder, jdOrderId);
  return ok(c, method, orderBody(order));
}

/** Finds the order a child id belongs to, or the order itself (track and detail accept both). */
function orderOf(state: JdState, id: number): { order: JdOrder; parcel?: Parcel } | undefined {
  const direct = state.orders.get(id);
  if (direct) return { order: direct };
  const parent = state.orders.get(Math.floor(id / 10));
  const parcel = parent?.parcels.find((x) => x.jdOrderId === id);
  return parent && parcel ? { order: parent, parcel } : undefined;
}

/** Order methods. Write results are produced even when the answer is then withheld (unknown outcome). */
export function orderMethod(c: Context, method: string, p: Params, state: JdState, timeline: Timeline, ctx: SandboxContext): Response | undefined {
  const now = ctx.clock.now();
  const order = () => state.orders.get(Number(p.jdOrderId));
  switch (method) {
    case M.submit:
      return submit(c, p, state, now);
    case M.confirm: {
      const o = order();
      if (!o) return fail(c, method, R.ORDER_NOT_FOUND, '订单不存在');
      if (o.state === 'cancelled') return fail(c, method, R.NOT_CANCELLABLE, '订单已取消');
      // Confirming twice is a no-op, so a retried confirm is safe.
      if (o.state === 'occupied') {
        o.state = 'confirmed';
        scheduleFulfilment(o, state, timeline, ctx);
      }
      return ok(c, method, true);
    }
    case M.cancel: {
      const o = order();
      if (!o) return fail(c, method, R.ORDER_NOT_FOUND, '订单不存在');
      if (o.state === 'confirmed') return fail(c, method, R.NOT_CANCELLABLE, '订单已确认，请走售后');
      if (o.state === 'occupied') {
        o.state = 'cancelled';
        for (const l of o.lines) state.hold(l.skuId, o.area.provinceCode, -l.num);
        state.post(MSG.CANCELLED, { orderId: o.jdOrderId }, now);
      }
      return ok(c, method, true);
    }
    case M.findByThirdOrder: {
      const id = state.byThirdOrder.get(String(p.thirdOrder ?? ''));
      return id ? ok(c, method, id) : fail(c, method, R.ORDER_NOT_FOUND, '订单不存在');
    }
    case M.order: {
      const o = order();
      return o ? ok(c, method, orderBody(o)) : fail(c, method, R.ORDER_NOT_FOUND, '订单不存在');
    }
    case M.track: {
      const found = orderOf(state, Number(p.jdOrderId));
      if (!found) return fail(c, method, R.ORDER_NOT_FOUND, '订单不存在');
      const parcels = found.parcel ? [found.parcel] : found.order.parcels;
      return ok(c, method, {
        jdOrderId: Number(p.jdOrderId),
        waybillCode: parcels.filter((x) => x.waybill).map((x) => ({ orderId: x.jdOrderId, parentId: found.order.jdOrderId, carrier: '京东物流', deliveryOrderId: x.waybill })),
        orderTrack: parcels.flatMap((x) => x.track.map((t) => ({ ...t, waybill: x.waybill }))),
      });
    }
    default:
      return undefined;
  }
}
