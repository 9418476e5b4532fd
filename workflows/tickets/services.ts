import type { AftersaleConfig, Resolution, TicketDecision } from '../../src/domain/aftersales.ts';
import type { LineServices } from '../lines/services.ts';

/** What ticket workflows need: the line workflows' services (connectors, crypto) and the after-sales settings. */
export interface TicketServices extends LineServices {
  aftersale: AftersaleConfig;
}

/** A ticket run's state: the source it asks, the supplier's after-sale, and a replacement in progress. */
export interface TicketState {
  supplierId?: string;
  supplierSkuId?: string;
  supplierOrderId?: string;
  /** The line's attempt at its source (a reissue's codes join its vouchers). */
  attemptId?: string;
  /** Polls of a provider or supplier that had no answer yet. */
  polls?: number;
  /** The line's original supplier reference (virtual: the issuance asked about). */
  reference?: string;
  afterSaleId?: string;
  /** When the supplier approved a return (an agent looks if the goods never arrive). */
  approvedAt?: string;
  /** The decision being carried out (a reship or reissue), kept for the fallback refund. */
  decision?: TicketDecision;
  /** Sources tried for a reship. */
  tried?: string[];
  /** Set once the replacement shipped or was issued: settle then resolves instead of sending again. */
  replaced?: boolean;
  /** The replacement order (reship or reissue) at its source. */
  replacement?: { supplierId: string; supplierOrderId: string; reference: string };
  /** The parcel that settles the ticket (an exchange's or a reship's replacement). */
  shipment?: Resolution['shipment'];
  /** What the provider showed of a benefit it did issue (virtual_not_received). */
  evidence?: Resolution['evidence'];
  /** What the supplier refunds the hub (returns and claims). */
  supplierRefund?: { supplierId: string; units: number; fen: number };
}
