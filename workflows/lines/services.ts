import type { SupplierConnector } from '../../connectors/connector.ts';
import type { CryptoBox } from '../../src/security/crypto-box.ts';

/** What line workflows need besides the database and the clock. */
export interface LineServices {
  connectors: Map<string, SupplierConnector>;
  crypto: CryptoBox;
  /** How often a virtual line still issuing is asked about (callbacks join with the webhooks issue). */
  issuancePollMs: number;
  /** How often a drop-ship line waiting for its shipment is asked about. */
  shipmentPollMs: number;
  /** How long a shipped line may go without a tracking event before its supplier is asked (default 6 h). */
  trackingStaleMs: number;
}

/** A line run's state: the sources tried and the attempt in progress. */
export interface LineState {
  tried?: string[];
  attemptId?: string;
  reference?: string;
  supplierId?: string;
  supplierSkuId?: string;
  supplierOrderId?: string;
  /** Why the last source could not fulfil the line, for the reroute event and the failure. */
  lastFailure?: string;
  /**
   * The reason of a mall's cancellation that asked the supplier to cancel and never heard back
   * (the mall was answered 503). If the supplier's order then turns out gone, the line is
   * cancelled as the mall asked, never rerouted to another source (see pick-source).
   */
  cancelRequested?: string;
  /**
   * The source staff named when they rerouted the line (POST /admin/orders/{orderId}/actions/reroute):
   * pick-source tries it first, tried before or not, and drops it once it has chosen.
   */
  preferSupplier?: string;
}
