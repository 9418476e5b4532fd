import type { EntityManager } from '@mikro-orm/postgresql';
import type { Offer, Region, SupplierConnector } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { type PricingRule, priceItem } from '../domain/pricing.ts';
import { sourcesForMall } from './catalog-query.ts';

/** The live answer for one requested item. */
export interface Availability {
  skuId: string;
  available: boolean;
  points: number;
  cashFen: number;
  /** Supplier that can fulfil it now (cheapest available source), when available. */
  source?: string;
  reason?: 'unknown_sku' | 'no_source_available';
}

/** Caches live supplier offers per (supplier, SKU, region) for a short time; shared by requests. */
export class OfferCache {
  readonly #entries = new Map<string, { at: number; offer: Offer }>();
  readonly #ttlMs: number;
  readonly #clock: Clock;

  constructor(ttlMs: number, clock: Clock) {
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  async get(connector: SupplierConnector, supplierSkuId: string, region: Region): Promise<Offer> {
    const key = `${connector.id}|${supplierSkuId}|${region.province}|${region.city}|${region.district}`;
    const now = this.#clock.now().getTime();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.offer;
    const [offer] = await connector.getOffers([supplierSkuId], region);
    const value = offer ?? { supplierSkuId, costFen: null, stock: null, available: false, sellable: false };
    if (this.#ttlMs > 0) {
      if (this.#entries.size > 50_000) this.#entries.clear();
      this.#entries.set(key, { at: now, offer: value });
    }
    return value;
  }
}

/**
 * Live availability for a mall: each item's sources are asked cheapest first (by synced cost) for
 * the region; the first that has the quantity decides availability and the live price. A source
 * that fails (outage, open circuit) is skipped: the next one is asked.
 */
export async function checkAvailability(
  deps: { em: EntityManager; connectors: Map<string, SupplierConnector>; cache: OfferCache },
  mall: { id: string; rule: PricingRule },
  items: { skuId: string; quantity: number }[],
  region: Region,
): Promise<Availability[]> {
  const rows = await sourcesForMall(deps.em, mall.id, items.map((i) => i.skuId));
  return Promise.all(
    items.map(async ({ skuId, quantity }): Promise<Availability> => {
      const sources = rows.filter((r) => r.sku_id === skuId);
      const stored = { points: sources[0]?.points ?? 0, cashFen: sources[0]?.cash_fen ?? 0 };
      if (sources.length === 0) return { skuId, available: false, ...stored, reason: 'unknown_sku' };
      for (const s of sources) {
        const connector = s.supplier_id ? deps.connectors.get(s.supplier_id) : undefined;
        if (!connector) continue;
        try {
          const offer = await deps.cache.get(connector, s.supplier_sku_id, region);
          if (offer.available && offer.sellable && offer.costFen !== null && (offer.stock === null || offer.stock >= quantity)) {
            const price = priceItem(offer.costFen, mall.rule);
            return { skuId, available: true, points: price.points, cashFen: price.cashFen, source: s.supplier_id };
          }
        } catch {
          // This source cannot answer now; the next one may.
        }
      }
      return { skuId, available: false, ...stored, reason: 'no_source_available' };
    }),
  );
}
