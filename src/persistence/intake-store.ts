import type { EntityManager } from '@mikro-orm/postgresql';
import { MicroBatcher } from './micro-batch.ts';
import { type IntakeFound, type IntakeQuery, insertOrders, intakeLookups, type NewOrderRows } from './order-insert.ts';

/**
 * Intake's two statements, each micro-batched across concurrent requests (see MicroBatcher): at a
 * thousand orders a second, one round trip and one commit serve several orders.
 */
export class IntakeStore {
  readonly #lookups: MicroBatcher<IntakeQuery, IntakeFound>;
  readonly #inserts: MicroBatcher<NewOrderRows, string[]>;

  constructor(em: EntityManager, opts: { maxBatch: number; maxInFlight: number }) {
    this.#lookups = new MicroBatcher((qs) => intakeLookups(em, qs), opts);
    this.#inserts = new MicroBatcher((rows) => insertOrders(em, rows), opts);
  }

  /** The order already under this key or mall order id, and the mall's rows of the SKUs. */
  lookup(q: IntakeQuery): Promise<IntakeFound> {
    return this.#lookups.call(q);
  }

  /** Commits an accepted order (see insertOrders); resolves with its outbox row ids once durable. */
  insert(rows: NewOrderRows): Promise<string[]> {
    return this.#inserts.call(rows);
  }
}
