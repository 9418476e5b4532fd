import type { Context } from 'hono';
import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import { fenToYuan } from '../../shared/yuan.ts';
import { JD_METHODS as M, JD_RESULT } from '../../jd/methods.ts';
import { AREAS } from './areas.ts';
import { fail, ok } from './envelope.ts';
import { scheduleFulfilment } from './lifecycle.ts';
import type { JdOrder, JdState } from './state.ts';

type Params = Record<string, unknown>;

/** The order as biz.order.jdOrder.query answers it (children only after a split). */
export function orderBody(o: JdOrder) {
  const parcel = (p: JdOrder['parcels'][number]) => ({
    jdOrderId: p.jdOrderId, state: p.state, waybill: p.waybill, track: p.track,
    sku: p.lines.map((l) => ({ skuId: Number(l.skuId), num: l.num })),
  });
  return {
    jdOrderId: o.jdOrderId, thirdOrder: o.thirdOrder, submitState: o.state === 'occupied' ? 0 : 1, orderState: o.state === 'cancelled' ? 0 : 1,
    state: o.state, freight: fenToYuan(o.freightFen), orderPrice: fenToYuan(o.lines.reduce((a, l) => a + l.priceFen * l.num, 0)),
    sku: o.lines.map((l) => ({ skuId: Number(l.skuId), num: l.num, price: fenToYuan(l.priceFen) })),
    cOrder: o.split ? o.parcels.map(parcel) : [],
    parcels: o.parcels.map(parcel),
  };
}

/** Order and after-sale methods. `write` results are produced even when the answer is then withheld. */
export function orderMethod(c: Context, method: string, p: Params, state: JdState, timeline: Timeline, ctx: SandboxContext): Response | undefined {
  const now = ctx.clock.now();
  switch (method) {
    case M.submit: {
      const thirdOrder = String(p.thirdOrder ?? '');
      const existing = state.byThirdOrder.get(thirdOrder);
      if (existing) return fail(c, method, JD_RESULT.DUPLICATE_THIRD_ORDER, '重复的thirdOrder', { jdOrderId: existing });
      const items = Array.isArray(p.sku) ? (p.sku as { skuId: unknown; num: unknown }[]) : [];
      const county = AREAS.get(Number(p.county));
      const city = AREAS.get(Number(p.city));
      if (!thirdOrder || items.length === 0 || !p.name || !p.mobile || !p.address) return fail(c, method, JD_RESULT.BAD_PARAM, '参数错误');
      if (!county || !city || county.parentId !== city.id || city.parentId !== Number(p.province)) return fail(c, method, JD_RESULT.NOT_SELLABLE_IN_AREA, '该地区不支持配送');
      const lines = [];
      for (const it of items) {
        const skuId = String(it.skuId);
        const num = Number(it.num);
        const sku = state.sku(skuId);
        if (!sku || !sku.onShelf) return fail(c, method, JD_RESULT.NOT_SELLABLE_IN_AREA, `商品${skuId}不可售`);
        if (!Number.isInteger(num) || num < 1) return fail(c, method, JD_RESULT.BAD_PARAM, '数量错误');
        if (state.stock(skuId, county.provinceCode) < num) return fail(c, method, JD_RESULT.STOCK_SHORT, `商品${skuId}库存不足`, { skuId: Number(skuId) });
        lines.push({ skuId, num, priceFen: sku.costFen });
      }
      for (const l of lines) state.hold(l.skuId, county.provinceCode, l.num);
      const jdOrderId = state.nextOrderId();
      const split = lines.length > 1;
      const order: JdOrder = {
        jdOrderId, thirdOrder, lines, area: county, state: 'occupied', split,
        parcels: (split ? lines.map((l) => [l]) : [lines]).map((ls, i) => ({ jdOrderId: split ? jdOrderId * 10 + i + 1 : jdOrderId, lines: ls.map(({ skuId, num }) => ({ skuId, num })), state: 'waiting', waybill: null, track: [] })),
        freightFen: lines.reduce((a, l) => a + l.priceFen * l.num, 0) >= 9_900 ? 0 : 600,
        createdAt: now.toISOString(),
      };
      state.orders.set(jdOrderId, order);
      state.byThirdOrder.set(thirdOrder, jdOrderId);
      return ok(c, method, orderBody(order));
    }
    case M.confirm: {
      const o = state.orders.get(Number(p.jdOrderId));
      if (!o) return fail(c, method, JD_RESULT.ORDER_NOT_FOUND, '订单不存在');
      if (o.state === 'cancelled') return fail(c, method, JD_RESULT.NOT_CANCELLABLE, '订单已取消');
      if (o.state === 'occupied') {
        o.state = 'confirmed';
        scheduleFulfilment(o, state, timeline, ctx);
      }
      return ok(c, method, true);
    }
    case M.cancel: {
      const o = state.orders.get(Number(p.jdOrderId));
      if (!o) return fail(c, method, JD_RESULT.ORDER_NOT_FOUND, '订单不存在');
      if (o.state === 'confirmed') return fail(c, method, JD_RESULT.NOT_CANCELLABLE, '订单已确认，请走售后');
      if (o.state === 'occupied') {
        o.state = 'cancelled';
        for (const l of o.lines) state.hold(l.skuId, o.area.provinceCode, -l.num);
        state.post(10, { orderId: o.jdOrderId }, now);
      }
      return ok(c, method, true);
    }
    case M.findByThirdOrder: {
      const id = state.byThirdOrder.get(String(p.thirdOrder ?? ''));
      return id ? ok(c, method, id) : fail(c, method, JD_RESULT.ORDER_NOT_FOUND, '订单不存在');
    }
    case M.order: {
      const o = state.orders.get(Number(p.jdOrderId));
      return o ? ok(c, method, orderBody(o)) : fail(c, method, JD_RESULT.ORDER_NOT_FOUND, '订单不存在');
    }
    case M.afterSaleApply: {
      const o = state.orders.get(Number(p.jdOrderId));
      if (!o || o.state !== 'confirmed') return fail(c, method, JD_RESULT.ORDER_NOT_FOUND, '订单不存在或未确认');
      const thirdApplyId = String(p.thirdApplyId ?? '');
      for (const [id, a] of state.afterSales) if (a.thirdApplyId === thirdApplyId) return ok(c, method, { afsServiceId: id });
      const afsServiceId = state.afterSales.size + 90_000_001;
      state.afterSales.set(afsServiceId, { jdOrderId: o.jdOrderId, skuId: String(p.skuId), step: 10, thirdApplyId });
      state.post(31, { afsServiceId, orderId: o.jdOrderId, step: 10 }, now);
      return ok(c, method, { afsServiceId });
    }
    case M.afterSaleStatus: {
      const a = state.afterSales.get(Number(p.afsServiceId));
      return a ? ok(c, method, { afsServiceId: Number(p.afsServiceId), jdOrderId: a.jdOrderId, afsServiceStep: a.step }) : fail(c, method, JD_RESULT.ORDER_NOT_FOUND, '服务单不存在');
    }
    default:
      return undefined;
  }
}
