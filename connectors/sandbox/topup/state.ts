import type { TopupProviderId } from '../../../fixtures/catalog/index.ts';
import { topupProducts } from '../../../fixtures/catalog/index.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import type { OrderStatus, WireCard, WireOrder, WireProduct } from '../../topup/wire.ts';

/** An order the simulated platform holds, keyed by the hub's `customer_order_no`. */
export interface SandboxTopupOrder {
  orderId: string;
  customerOrderNo: string;
  product: WireProduct;
  chargeAccount: string;
  buyNum: number;
  status: OrderStatus;
  createdAt: Date;
  finishedAt: Date | null;
  description: string;
  /** Encrypted once at issue, as the platform stores them. */
  cards: WireCard[];
}

/** One movement of the prepaid balance: a charge when an order is accepted, a refund when it fails. */
export interface LedgerEntry {
  kind: 'charge' | 'refund';
  customerOrderNo: string;
  orderId: string;
  productId: string;
  amountFen: number;
  balanceAfterFen: number;
  at: string;
}

/**
 * The platform's state: its product list (a few hundred, generated once from the seed), the
 * prepaid balance with its ledger, and the orders. Nothing else is kept.
 */
export class TopupState {
  readonly products: readonly WireProduct[];
  readonly ledger: LedgerEntry[] = [];
  readonly #byId: ReadonlyMap<string, WireProduct>;
  readonly #orders = new Map<string, SandboxTopupOrder>();
  readonly #orderIdToRef = new Map<string, string>();
  readonly #prefix: string;
  #balanceFen: number;
  #seq = 0;

  constructor(provider: TopupProviderId, seed: number, balanceFen: number) {
    this.products = topupProducts(provider, { seed }).map(({ product_id, name, type, platform, face_value_fen, cost_fen, status }) => ({
      product_id,
      name,
      type,
      platform,
      face_value_fen,
      cost_fen,
      status,
    }));
    this.#byId = new Map(this.products.map((p) => [p.product_id, p]));
    this.#prefix = provider.replace(/^topup-/, '').toUpperCase();
    this.#balanceFen = balanceFen;
  }

  product(id: string): WireProduct | undefined {
    return this.#byId.get(id);
  }

  get balanceFen(): number {
    return this.#balanceFen;
  }

  set balanceFen(fen: number) {
    this.#balanceFen = fen;
  }

  byReference(customerOrderNo: string): SandboxTopupOrder | undefined {
    return this.#orders.get(customerOrderNo);
  }

  byOrderId(orderId: string): SandboxTopupOrder | undefined {
    const ref = this.#orderIdToRef.get(orderId);
    return ref === undefined ? undefined : this.#orders.get(ref);
  }

  /** Every order held, oldest first. */
  allOrders(): SandboxTopupOrder[] {
    return [...this.#orders.values()];
  }

  /** Orders held for a reference (0 or 1 by construction; the conformance suite checks it stays so). */
  countFor(customerOrderNo: string): number {
    let n = 0;
    for (const o of this.#orders.values()) if (o.customerOrderNo === customerOrderNo) n++;
    return n;
  }

  /** Takes the cost from the balance and records the order; the caller has checked the balance and the reference. */
  charge(input: { customerOrderNo: string; product: WireProduct; chargeAccount: string; buyNum: number; at: Date }): SandboxTopupOrder {
    const stamp = formatUtc8Timestamp(input.at).slice(0, 10).replaceAll('-', '');
    const order: SandboxTopupOrder = {
      orderId: `${this.#prefix}${stamp}${String(++this.#seq).padStart(8, '0')}`,
      customerOrderNo: input.customerOrderNo,
      product: input.product,
      chargeAccount: input.chargeAccount,
      buyNum: input.buyNum,
      // Charged on receipt, so an order is never seen untreated here (real platforms may queue first).
      status: 'processing',
      createdAt: input.at,
      finishedAt: null,
      description: '',
      cards: [],
    };
    this.#orders.set(order.customerOrderNo, order);
    this.#orderIdToRef.set(order.orderId, order.customerOrderNo);
    this.#move(order, 'charge', -totalOf(order), input.at);
    return order;
  }

  /** Gives a failed order's money back. */
  refund(order: SandboxTopupOrder, at: Date): void {
    this.#move(order, 'refund', totalOf(order), at);
  }

  #move(order: SandboxTopupOrder, kind: LedgerEntry['kind'], deltaFen: number, at: Date): void {
    this.#balanceFen += deltaFen;
    this.ledger.push({
      kind,
      customerOrderNo: order.customerOrderNo,
      orderId: order.orderId,
      productId: order.product.product_id,
      amountFen: Math.abs(deltaFen),
      balanceAfterFen: this.#balanceFen,
      at: at.toISOString(),
    });
  }
}

/** What an order costs: unit cost times units, in fen. */
export function totalOf(order: Pick<SandboxTopupOrder, 'product' | 'buyNum'>): number {
  return order.product.cost_fen * order.buyNum;
}

/** The order as the platform answers it. */
export function wireOrderOf(o: SandboxTopupOrder): WireOrder {
  return {
    order_id: o.orderId,
    customer_order_no: o.customerOrderNo,
    product_id: o.product.product_id,
    type: o.product.type,
    charge_account: o.chargeAccount,
    buy_num: o.buyNum,
    cost_fen: o.product.cost_fen,
    total_cost_fen: totalOf(o),
    order_status: o.status,
    create_time: formatUtc8Timestamp(o.createdAt),
    finish_time: o.finishedAt ? formatUtc8Timestamp(o.finishedAt) : '',
    recharge_description: o.description,
    cards: o.cards,
  };
}
