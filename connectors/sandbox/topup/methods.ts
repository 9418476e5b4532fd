import type { z } from 'zod';
import { CardAddBiz, DirectAddBiz, OrderInfoBiz, ProductListBiz, TOPUP_CODES, TOPUP_METHODS } from '../../topup/wire.ts';
import type { Faults } from '../common/faults.ts';
import { type SandboxTopupOrder, type TopupState, totalOf, wireOrderOf } from './state.ts';

/** The `{code, message, data}` envelope every answer uses. */
export interface Answer {
  code: string;
  message: string;
  data: unknown;
}

/** An answer with the code's standard message. */
export function answer(code: string, data: unknown = null, message?: string): Answer {
  return { code, message: message ?? MESSAGES[code] ?? '', data };
}

const MESSAGES: Readonly<Record<string, string>> = {
  [TOPUP_CODES.ok]: 'success',
  [TOPUP_CODES.badRequest]: '参数错误',
  [TOPUP_CODES.badSign]: '签名错误',
  [TOPUP_CODES.unknownApp]: '应用不存在',
  [TOPUP_CODES.rateLimited]: '调用频率超限',
  [TOPUP_CODES.productUnavailable]: '商品不可用',
  [TOPUP_CODES.insufficientBalance]: '账户余额不足',
  [TOPUP_CODES.duplicateOrder]: '外部订单号重复',
  [TOPUP_CODES.orderNotFound]: '订单不存在',
  [TOPUP_CODES.systemBusy]: '系统繁忙，请稍后重试',
};

/** What the methods need: state, faults, the time, and a hook to schedule an accepted order's result. */
export interface MethodDeps {
  state: TopupState;
  faults: Faults;
  now: () => Date;
  accepted: (order: SandboxTopupOrder) => void;
}

/** Methods that create orders: their answer may be lost (unknown-outcome fault) after they ran. */
export const WRITE_METHODS: ReadonlySet<string> = new Set([TOPUP_METHODS.directAdd, TOPUP_METHODS.cardAdd]);

/** Runs one platform method on parsed business parameters. */
export function runMethod(method: string, biz: unknown, deps: MethodDeps): Answer {
  switch (method) {
    case TOPUP_METHODS.productList:
      return withBiz(ProductListBiz, biz, (b) => productList(b, deps));
    case TOPUP_METHODS.directAdd:
      return withBiz(DirectAddBiz, biz, (b) => addOrder(b, b.charge_account, false, deps));
    case TOPUP_METHODS.cardAdd:
      return withBiz(CardAddBiz, biz, (b) => addOrder(b, '', true, deps));
    case TOPUP_METHODS.orderInfo:
      return withBiz(OrderInfoBiz, biz, (b) => {
        const order = 'order_id' in b ? deps.state.byOrderId(b.order_id) : deps.state.byReference(b.customer_order_no);
        return order ? answer(TOPUP_CODES.ok, wireOrderOf(order)) : answer(TOPUP_CODES.orderNotFound);
      });
    case TOPUP_METHODS.balance:
      return answer(TOPUP_CODES.ok, { balance_fen: deps.state.balanceFen });
    default:
      return answer(TOPUP_CODES.badRequest, null, `未知接口 ${method}`);
  }
}

function withBiz<S extends z.ZodType>(schema: S, biz: unknown, run: (b: z.output<S>) => Answer): Answer {
  const parsed = schema.safeParse(biz);
  if (!parsed.success) return answer(TOPUP_CODES.badRequest, null, `参数错误: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
  return run(parsed.data);
}

function productList(b: z.output<typeof ProductListBiz>, { state }: MethodDeps): Answer {
  const wanted = b.product_ids ? new Set(b.product_ids) : null;
  const matching = wanted ? state.products.filter((p) => wanted.has(p.product_id)) : state.products;
  const start = (b.page_no - 1) * b.page_size;
  return answer(TOPUP_CODES.ok, { total: matching.length, page_no: b.page_no, page_size: b.page_size, products: matching.slice(start, start + b.page_size) });
}

/**
 * order.direct.add / order.card.add. The reference is checked first: a used customer_order_no
 * answers 2003 with the existing order whatever else the request says, so nothing is charged twice.
 */
function addOrder(b: { customer_order_no: string; product_id: string; buy_num: number }, chargeAccount: string, card: boolean, deps: MethodDeps): Answer {
  const { state, faults } = deps;
  const existing = state.byReference(b.customer_order_no);
  if (existing) return answer(TOPUP_CODES.duplicateOrder, wireOrderOf(existing));
  const product = state.product(b.product_id);
  if (!product || product.status !== 'on') return answer(TOPUP_CODES.productUnavailable, { reason: product ? 'off_shelf' : 'unknown_product' });
  if ((product.type === 'voucher') !== card) {
    return answer(TOPUP_CODES.badRequest, null, card ? '该商品不是卡密商品，请使用 order.direct.add' : '卡密商品请使用 order.card.add');
  }
  if (faults.isStockout(product.product_id)) return answer(TOPUP_CODES.productUnavailable, { reason: 'out_of_stock' }, '商品库存不足');
  if (state.balanceFen < totalOf({ product, buyNum: b.buy_num })) return answer(TOPUP_CODES.insufficientBalance);
  const order = state.charge({ customerOrderNo: b.customer_order_no, product, chargeAccount, buyNum: b.buy_num, at: deps.now() });
  deps.accepted(order);
  return answer(TOPUP_CODES.ok, wireOrderOf(order));
}
