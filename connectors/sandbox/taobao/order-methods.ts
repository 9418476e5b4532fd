import { REMOTE_PROVINCE_CODES } from '../../../fixtures/catalog/provinces.ts';
import { METHODS, SUB_CODES } from '../../taobao/methods.ts';
import { provinceCodeOf } from '../../shared/region.ts';
import { poBody, traceSteps } from './bodies.ts';
import type { MethodEnv, MethodHandler } from './method-env.ts';
import type { SandboxOrder } from './state.ts';
import { businessFault, invalidParameter } from './top-response.ts';

/** Freight on a purchase order to the far west (Tibet, Qinghai, Xinjiang); free elsewhere. */
const REMOTE_POST_FEE_FEN = 1_000;

/** The `items` parameter: a JSON list of `{item_id, num}`. */
function parseItems(text: string | undefined): { itemId: string; num: number }[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '');
  } catch {
    throw invalidParameter('items must be a JSON list of {item_id, num}');
  }
  if (!Array.isArray(raw) || raw.length === 0) throw invalidParameter('items must list at least one item');
  return raw.map((entry: { item_id?: unknown; num?: unknown }) => {
    const itemId = typeof entry?.item_id === 'number' || typeof entry?.item_id === 'string' ? String(entry.item_id) : '';
    if (!itemId || !Number.isInteger(entry.num) || (entry.num as number) < 1) throw invalidParameter('each item needs item_id and a positive num');
    return { itemId, num: entry.num as number };
  });
}

function required(params: Readonly<Record<string, string>>, ...keys: string[]): void {
  for (const key of keys) if (!params[key]) throw invalidParameter(`missing ${key}`);
}

/** Order create, query, close and the waybill trace. */
export function orderMethods({ catalog, state, lifecycle }: MethodEnv): Record<string, MethodHandler> {
  const find = (params: Readonly<Record<string, string>>): SandboxOrder | undefined => {
    const id = params.purchase_order_id ?? params.tid ?? state.orderByNo.get(params.dist_order_no ?? '');
    return id ? state.orders.get(id) : undefined;
  };

  function create(params: Readonly<Record<string, string>>, now: Date): SandboxOrder {
    required(params, 'dist_order_no', 'items', 'receiver_name', 'receiver_mobile_phone', 'receiver_state', 'receiver_address');
    const items = parseItems(params.items);
    const province = provinceCodeOf(params.receiver_state ?? '');
    if (!province) throw businessFault(SUB_CODES.areaNotSupport, `不支持的配送区域 ${params.receiver_state}`);
    const wanted = new Map<number, number>();
    for (const { itemId, num } of items) {
      const index = catalog.indexOf(itemId);
      if (index === undefined) throw businessFault(SUB_CODES.itemNotExist, `商品 ${itemId} 不存在`);
      if (!catalog.sku(index).onShelf) throw businessFault(SUB_CODES.itemOffShelf, `商品 ${itemId} 已下架`);
      wanted.set(index, (wanted.get(index) ?? 0) + num);
    }
    for (const [index, num] of wanted) {
      if (catalog.available(index, province) < num) throw businessFault(SUB_CODES.stockNotEnough, `商品 ${catalog.sku(index).supplierSkuId} 库存不足`);
    }
    const { seq, id } = state.nextId();
    const order: SandboxOrder = {
      seq,
      fenxiaoId: id,
      distOrderNo: params.dist_order_no ?? '',
      status: 'WAIT_SELLER_SEND_GOODS',
      created: now,
      modified: now,
      provinceCode: province,
      receiver: {
        name: params.receiver_name ?? '',
        mobile_phone: params.receiver_mobile_phone ?? '',
        state: params.receiver_state ?? '',
        city: params.receiver_city ?? '',
        district: params.receiver_district ?? '',
        address: params.receiver_address ?? '',
      },
      lines: items.map((item, k) => {
        const index = catalog.indexOf(item.itemId) as number;
        const sku = catalog.sku(index);
        return { subId: `${id}${String(k + 1).padStart(2, '0')}`, index, itemId: item.itemId, title: sku.title, num: item.num, priceFen: sku.costFen };
      }),
      postFeeFen: REMOTE_PROVINCE_CODES.has(province) ? REMOTE_POST_FEE_FEN : 0,
      trace: [],
    };
    for (const line of order.lines) state.take(line.index, province, line.num, now);
    state.orders.set(id, order);
    state.orderByNo.set(order.distOrderNo, id);
    lifecycle.accepted(order);
    return order;
  }

  return {
    [METHODS.orderCreate]: {
      write: true,
      run(params, now) {
        // A distributor order number already used answers that order: never a second one.
        const existing = state.orders.get(state.orderByNo.get(params.dist_order_no ?? '') ?? '');
        return { purchase_order: poBody(existing ?? create(params, now)) };
      },
    },
    [METHODS.ordersGet]: {
      write: false,
      run(params) {
        if (!params.purchase_order_id && !params.dist_order_no) throw invalidParameter('purchase_order_id or dist_order_no is required');
        const order = find(params);
        return order ? { total_results: 1, purchase_orders: { purchase_order: [poBody(order)] } } : { total_results: 0 };
      },
    },
    [METHODS.orderClose]: {
      write: true,
      run(params, now) {
        required(params, 'purchase_order_id');
        const order = find(params);
        if (!order) throw businessFault(SUB_CODES.orderNotExist, `采购单 ${params.purchase_order_id} 不存在`);
        if (order.status === 'TRADE_CLOSED') return { is_success: true };
        if (order.status !== 'WAIT_SELLER_SEND_GOODS') throw businessFault(SUB_CODES.orderNotClosable, '采购单已发货，不能关闭');
        for (const line of order.lines) state.take(line.index, order.provinceCode, -line.num, now);
        lifecycle.closed(order, params.reason || '分销商关闭', now);
        return { is_success: true };
      },
    },
    [METHODS.traceSearch]: {
      write: false,
      run(params) {
        required(params, 'tid');
        const order = find({ tid: params.tid ?? '' });
        if (!order) throw businessFault(SUB_CODES.orderNotExist, `交易 ${params.tid} 不存在`);
        const base = { tid: Number(order.fenxiaoId), status: order.logistics ? (order.status === 'TRADE_FINISHED' ? '已签收' : '运输中') : '未发货' };
        if (!order.logistics) return base;
        return { ...base, out_sid: order.logistics.waybill, company_name: order.logistics.name, trace_list: { transit_step_info: traceSteps(order) } };
      },
    },
  };
}
