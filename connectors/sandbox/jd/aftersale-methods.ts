import type { Context } from 'hono';
import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import { fenToYuan } from '../../shared/yuan.ts';
import { JD_METHODS as M, JD_RESULT as R } from '../../jd/methods.ts';
import { fail, ok } from './envelope.ts';
import { scheduleAfterSale } from './lifecycle.ts';
import type { AfterSaleRecord, JdState } from './state.ts';

type Params = Record<string, unknown>;

// pickwareType (JD VOP's name): 4 JD picks the goods up, 40 the customer sends them back.
const PICKWARE_TYPES: ReadonlySet<number> = new Set([4, 40]);

/**
 * A service order as biz.afterSale.status answers it (and a repeated apply): what JD granted at
 * review (`approvedNum`, `refundPrice` in yuan; no money for an exchange), its note when it refused
 * (`approveNotes`) and an exchange's replacement parcel (`exchangeWaybill`), each once it exists.
 */
export function afterSaleBody(afsServiceId: number, a: AfterSaleRecord) {
  return {
    afsServiceId, jdOrderId: a.jdOrderId, skuId: Number(a.skuId), num: a.num, customerExpect: a.customerExpect, pickwareType: a.pickwareType, afsServiceStep: a.step,
    ...(a.approvedNum !== undefined ? { approvedNum: a.approvedNum } : {}),
    ...(a.refundFen !== undefined ? { refundPrice: fenToYuan(a.refundFen) } : {}),
    ...(a.approveNotes ? { approveNotes: a.approveNotes } : {}),
    ...(a.exchangeWaybill ? { exchangeWaybill: a.exchangeWaybill } : {}),
  };
}

/** After-sale apply (idempotent on thirdApplyId) and status. Returns undefined for other methods. */
export function afterSaleMethod(c: Context, method: string, p: Params, state: JdState, timeline: Timeline, ctx: SandboxContext): Response | undefined {
  switch (method) {
    case M.afterSaleApply: {
      const thirdApplyId = String(p.thirdApplyId ?? '');
      if (!thirdApplyId) return fail(c, method, R.BAD_PARAM, 'thirdApplyId不能为空');
      for (const [id, a] of state.afterSales) if (a.thirdApplyId === thirdApplyId) return ok(c, method, afterSaleBody(id, a));
      const o = state.orders.get(Number(p.jdOrderId));
      if (!o || o.state !== 'confirmed') return fail(c, method, R.ORDER_NOT_FOUND, '订单不存在或未确认');
      const skuId = String(p.skuId);
      const line = o.lines.find((l) => l.skuId === skuId);
      const num = Number(p.num ?? 1);
      if (!line || !Number.isInteger(num) || num < 1 || num > line.num) return fail(c, method, R.BAD_PARAM, '商品或数量不在订单内');
      const pickwareType = p.pickwareType === undefined ? 4 : Number(p.pickwareType);
      if (!PICKWARE_TYPES.has(pickwareType)) return fail(c, method, R.BAD_PARAM, '取件方式错误');
      const customerExpect = Number(p.customerExpect) === 20 ? 20 : 10;
      const afsServiceId = state.afterSales.size + 90_000_001;
      const now = ctx.clock.now();
      const record: AfterSaleRecord = {
        jdOrderId: o.jdOrderId, skuId, num, customerExpect, pickwareType, step: 10, thirdApplyId, unitFen: line.priceFen, fate: state.afterSaleFate(), createdAt: now.toISOString(),
      };
      state.afterSales.set(afsServiceId, record);
      state.postAfterSale({ afsServiceId, orderId: o.jdOrderId, step: 10 }, now);
      scheduleAfterSale(afsServiceId, record, now, state, timeline, ctx);
      return ok(c, method, afterSaleBody(afsServiceId, record));
    }
    case M.afterSaleStatus: {
      const id = Number(p.afsServiceId);
      const a = state.afterSales.get(id);
      if (!a) return fail(c, method, R.ORDER_NOT_FOUND, '服务单不存在');
      return ok(c, method, afterSaleBody(id, a));
    }
    default:
      return undefined;
  }
}
