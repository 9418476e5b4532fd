import type { SupplierConnector, SupplierOrderRequest, WebhookRequest } from '../../../connectors/connector.ts';
import type { Sandbox } from '../../../connectors/sandbox/common/context.ts';

/**
 * How the conformance suite drives one supplier: a live sandbox on loopback and a connector
 * pointed at it. Each supplier's test folder exports one of these as `conformanceTarget`.
 */
export interface ConformanceTarget {
  name: string;
  start(opts: { seed: number; skus: number }): Promise<ConformanceRun>;
}

export interface ConformanceRun {
  /** Connector with short timeouts (≤ 1 s) and retry delays (≤ 50 ms), pointed at the sandbox. */
  connector: SupplierConnector;
  /** The same connector configured with a wrong secret/key, so the supplier rejects its signature. */
  connectorWithWrongSecret: SupplierConnector;
  sandbox: Sandbox;
  /** How many SKUs full paging must return (everything the supplier lists, on shelf or not). */
  expectedCatalogSize: number;
  /** A valid order for this supplier (an in-stock SKU, quantity 1, recipient or recharge account as needed). */
  orderRequest(reference: string): SupplierOrderRequest;
  /** The SKU `orderRequest` orders; the suite marks it out of stock for the stockout case. */
  orderedSku: string;
  /** For webhook suppliers: a genuine signed webhook as the sandbox would send it; null for polled (JD). */
  signedWebhook(): WebhookRequest | null;
  stop(): Promise<void>;
}
