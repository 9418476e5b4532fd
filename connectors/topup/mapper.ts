import type { Offer, SupplierOrder, SupplierOrderStatus, SupplierSku, VirtualType, Voucher } from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { parseUtc8Timestamp } from '../shared/timestamp.ts';
import { decryptTopupCard, TopupCardDecryptError } from './sign.ts';
import type { OrderStatus, WireCard, WireOrder, WireProduct } from './wire.ts';

// The platform's own grouping of its products, used as the supplier category path.
const TYPE_LABELS: Readonly<Record<VirtualType, string>> = {
  phone_topup: '话费充值',
  data: '流量充值',
  video_membership: '会员直充',
  voucher: '电子卡券',
};

/** An ISO time from a platform `yyyy-MM-dd HH:mm:ss` (UTC+8) time, or null when empty or unreadable. */
export function isoOf(text: string | undefined): string | null {
  return text ? (parseUtc8Timestamp(text)?.toISOString() ?? null) : null;
}

/** One `product.list.get` product as a neutral SKU: kind virtual, identified by type + platform + face value. */
export function skuOf(p: WireProduct): SupplierSku {
  return {
    supplierSkuId: p.product_id,
    title: p.name || `${p.platform} ${TYPE_LABELS[p.type]} ${p.face_value_fen / 100}元`,
    brand: null,
    model: null,
    gtin: null,
    kind: 'virtual',
    categoryPath: [TYPE_LABELS[p.type], p.platform],
    supplierCategoryId: p.type,
    images: [],
    attributes: { platform: p.platform },
    marketPriceFen: p.face_value_fen,
    costFen: p.cost_fen,
    onShelf: p.status === 'on',
    // Virtual goods have no stock count; availability is the product status and our prepaid balance.
    stock: null,
    virtual: { type: p.type, platform: p.platform, faceValueFen: p.face_value_fen },
    updatedAt: null,
  };
}

/** The offer of one product: sellable while on, available when the prepaid balance covers its cost. */
export function offerOf(supplierSkuId: string, p: WireProduct | undefined, balanceFen: number): Offer {
  if (!p) return { supplierSkuId, costFen: null, stock: null, available: false, sellable: false };
  const on = p.status === 'on';
  return { supplierSkuId, costFen: p.cost_fen, stock: null, available: on && balanceFen >= p.cost_fen, sellable: on };
}

/** Neutral status of a platform order state: untreated and processing are both still issuing. */
export function statusOf(status: OrderStatus): SupplierOrderStatus {
  switch (status) {
    case 'untreated':
    case 'processing':
      return 'processing';
    case 'success':
      return 'issued';
    case 'failed':
      return 'failed';
  }
}

/** Decrypts the voucher codes of a card order; a blob that fails authentication is an invalid answer, never a half voucher. */
export function vouchersOf(supplier: string, cards: readonly WireCard[], appSecret: string): Voucher[] {
  try {
    return cards.map((c) => {
      const expiresAt = isoOf(c.expire_time);
      return {
        code: decryptTopupCard(c.card_number, appSecret),
        password: decryptTopupCard(c.card_password, appSecret),
        ...(expiresAt ? { expiresAt } : {}),
      };
    });
  } catch (err) {
    if (!(err instanceof TopupCardDecryptError)) throw err;
    throw new SupplierError(supplier, 'invalid_response', `voucher codes cannot be decrypted: ${err.message}`, { retryable: false, cause: err });
  }
}

/** A platform order as a neutral SupplierOrder (one line; no shipments; vouchers once a card order succeeded). */
export function orderOf(supplier: string, o: WireOrder, appSecret: string): SupplierOrder {
  const status = statusOf(o.order_status);
  return {
    supplierOrderId: o.order_id,
    reference: o.customer_order_no,
    status,
    lines: [{ supplierSkuId: o.product_id, quantity: o.buy_num, costFen: o.cost_fen }],
    children: [],
    shipments: [],
    vouchers: status === 'issued' ? vouchersOf(supplier, o.cards, appSecret) : [],
    freightFen: 0,
    ...(status === 'failed' ? { failureReason: o.recharge_description || 'recharge failed' } : {}),
    updatedAt: isoOf(o.finish_time) ?? isoOf(o.create_time),
  };
}
