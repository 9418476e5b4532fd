import type { Context } from 'hono';
import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import { JD_MESSAGE as MSG, JD_METHODS as M, JD_RESULT as R } from '../../jd/methods.ts';
import { fail, ok } from './envelope.ts';
import { scheduleAfterSale } from './lifecycle.ts';
import type { JdState } from './state.ts';

type Params = Record<string, unknown>;

/** After-sale apply (idempotent on thirdApplyId) and status. Returns undefined for other methods. */
export function afterSaleMethod(c: Context, method: string, p: Params, state: JdState, timeline: Timeline, ctx: SandboxContext): Response | undefined {
  switch (method) {
    case M.afterSaleApply: {
      const thirdApplyId = String(p.thirdApplyId ?? '');
      if (!thirdApplyId) return fail(c, method, R.BAD_PARAM, 'thirdApplyId不能为空');
      for (const [id, a] of state.afterSales) if (a.thirdApplyId === thirdApplyId) return ok(c, method, { afsServiceId: id, afsServiceStep: a.step });
      const o = state.orders.get(Number(p.jdOrderId));
      if (!o || o.state !== 'confirmed') return fail(c, method, R.ORDER_NOT_FOUND, '订单不存在或未确认');
      const skuId = String(p.skuId);
      const line = o.lines.find((l) => l.skuId === skuId);
      const num = Number(p.num ?? 1);
      if (!line || !Number.isInteger(num) || num < 1 || num > line.num) return fail(c, method, R.BAD_PARAM, '商品或数量不在订单内');
      const customerExpect = Number(p.customerExpect) === 20 ? 20 : 10;
      const afsServiceId = state.afterSales.size + 90_000_001;
      const now = ctx.clock.now();
      const record = { jdOrderId: o.jdOrderId, skuId, num, customerExpect, step: 10, thirdApplyId, createdAt: now.toISOString() };
      state.afterSales.set(afsServiceId, record);
      state.post(MSG.AFTER_SALE, { afsServiceId, orderId: o.jdOrderId, step: 10 }, now);
      scheduleAfterSale(afsServiceId, record, state, timeline, ctx);
      return ok(c, method, { afsServiceId, afsServiceStep: 10 });
    }
    case M.afterSaleStatus: {
      const id = Number(p.afsServiceId);
      const a = state.afterSales.get(id);
      if (!a) return fail(c, method, R.ORDER_NOT_FOUND, '服务单不存在');
      return ok(c, method, { afsServiceId: id, jdOrderId: a.jdOrderId, skuId: Number(a.skuId), num: a.num, customerExpect: a.customerExpect, afsServiceStep: a.step });
    }
    default:
      return undefined;
  }
}
