import { METHODS, SUB_CODES } from '../../taobao/methods.ts';
import { refundBody } from './bodies.ts';
import type { MethodEnv, MethodHandler } from './method-env.ts';
import type { SandboxRefund } from './state.ts';
import { businessFault, invalidParameter } from './top-response.ts';

/** Refund apply and status; a distributor refund number already used answers that refund. */
export function refundMethods({ state, lifecycle, faults }: MethodEnv): Record<string, MethodHandler> {
  function create(params: Readonly<Record<string, string>>, now: Date): SandboxRefund {
    const distRefundNo = params.dist_refund_no ?? '';
    if (!distRefundNo) throw invalidParameter('missing dist_refund_no');
    const order = state.orders.get(params.purchase_order_id ?? '');
    if (!order) throw businessFault(SUB_CODES.orderNotExist, `采购单 ${params.purchase_order_id} 不存在`);
    const line = order.lines.find((l) => l.itemId === params.item_id);
    if (!line) throw invalidParameter(`item ${params.item_id} is not in purchase order ${order.fenxiaoId}`);
    const num = params.num ? Number(params.num) : line.num;
    if (!Number.isInteger(num) || num < 1 || num > line.num) throw invalidParameter(`num must be 1 to ${line.num}`);
    const isReturnGoods = params.is_return_goods === 'true';
    if (order.status === 'TRADE_CLOSED') throw businessFault(SUB_CODES.refundNotAllowed, '采购单已关闭，不能申请退款');
    if (isReturnGoods && order.status === 'WAIT_SELLER_SEND_GOODS') throw businessFault(SUB_CODES.refundNotAllowed, '未发货的采购单只能仅退款');
    const { id } = state.nextId();
    const refund: SandboxRefund = {
      refundId: id,
      distRefundNo,
      fenxiaoId: order.fenxiaoId,
      subOrderId: line.subId,
      itemId: line.itemId,
      num,
      isReturnGoods,
      status: 1,
      feeFen: line.priceFen * num,
      unitFen: line.priceFen,
      fate: faults.afterSaleFate(),
      desc: params.refund_desc ?? '',
      created: now,
      modified: now,
    };
    state.refunds.set(id, refund);
    state.refundByNo.set(distRefundNo, id);
    lifecycle.refundApplied(refund);
    return refund;
  }

  return {
    [METHODS.refundCreate]: {
      write: true,
      run(params, now) {
        const existing = state.refunds.get(state.refundByNo.get(params.dist_refund_no ?? '') ?? '');
        return { refund_detail: refundBody(existing ?? create(params, now)) };
      },
    },
    [METHODS.refundGet]: {
      write: false,
      run(params) {
        const refund = state.refunds.get(params.refund_id ?? '');
        if (!refund) throw businessFault(SUB_CODES.refundNotExist, `退款 ${params.refund_id} 不存在`);
        return { refund_detail: refundBody(refund) };
      },
    },
  };
}
