import type { SupplierConnector } from '../../connectors/connector.ts';
import { isSupplierError } from '../../connectors/errors.ts';

/**
 * Cancels an order at its supplier, as a compensation does (a line's placed order, a ticket's
 * replacement). A supplier that refuses with `not_cancellable` may be refusing to cancel what it
 * already cancelled (the answer to a first cancel was lost, so a retry asks again): the order is
 * then read, and one that is cancelled or failed counts as undone. Any other refusal, or an order
 * that went on (confirmed, shipped), throws the supplier's error, which the caller's compensation
 * reports as it is (permanent for `not_cancellable`: an after-sales return is the way).
 */
export async function cancelAtSupplier(connector: SupplierConnector, supplierOrderId: string): Promise<void> {
  try {
    await connector.cancelOrder(supplierOrderId);
  } catch (err) {
    if (!isSupplierError(err, 'not_cancellable')) throw err;
    const now = await connector.getOrder(supplierOrderId);
    if (now.status !== 'cancelled' && now.status !== 'failed') throw err;
  }
}
