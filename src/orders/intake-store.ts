import type { EntityManager } from '@mikro-orm/postgresql';
import { MicroBatcher } from '../persistence/micro-batch.ts';
import { type ExistingOrder, insertOrders, type NewOrderRows, ordersUnder, type PriceQuery, type SelectedPriceRow, selectedPrices } from './order-insert.ts';

/**
 * Intake's statements. The two every order needs (its prices, its insert) are micro-batched
 * across concurrent requests (see MicroBatcher): at a thousand orders a second, one round trip and
 * one commit serve several orders.
 */
export class IntakeStore {
  readonly #em: EntityManager;
  readonly #prices: MicroBatcher<PriceQuery, SelectedPriceRow[]>;
  readonly #inserts: MicroBatcher<NewOrderRows, string[] | null>;

  constructor(em: EntityManager, opts: { maxBatch: number; maxInFlight: number }) {
    this.#em = em;
    this.#prices = new MicroBatcher((qs) => selectedPrices(em, qs), opts);
    this.#inserts = new MicroBatcher((rows) => insertOrders(em, rows), opts);
  }

  /** The mall's current rows of the SKUs (absent: unknown, or outside its selection). */
  prices(q: PriceQuery): Promise<SelectedPriceRow[]> {
    return this.#prices.call(q);
  }

  /**
   * Commits an accepted order (see insertOrders); resolves once durable with its outbox row ids,
   * or null when its key or mall order id is already taken (nothing was written).
   */
  insert(rows: NewOrderRows): Promise<string[] | null> {
    return this.#inserts.call(rows);
  }

  /** Orders under the key or the mall order id: only asked when an order was refused or skipped. */
  existing(mallId: string, key: string, mallOrderId: string): Promise<ExistingOrder[]> {
    return ordersUnder(this.#em, mallId, key, mallOrderId);
  }
}
