import type { EntityManager } from '@mikro-orm/postgresql';
import { Gauge, type Registry } from 'prom-client';
import { searchIndexBacklog } from '../catalog/search-index-store.ts';

/**
 * How fresh the catalog's search index is, read from PostgreSQL at each scrape: items whose
 * change is not yet searchable, how long the oldest has waited (a search shows a change within
 * about this), and active malls whose index is being built (their searches take the slower SQL
 * path meanwhile). Unknown (NaN) while the database does not answer.
 */
export function registerSearchGauges(registry: Registry, em: EntityManager): void {
  let reading: Promise<Awaited<ReturnType<typeof searchIndexBacklog>> | null> | null = null;
  const read = () => (reading ??= searchIndexBacklog(em.fork())
    .catch(() => null)
    .finally(() => { reading = null; }));
  new Gauge({
    name: 'hub_search_index_pending_items', help: 'Catalog changes (per mall and item) not yet in the search index', registers: [registry],
    async collect() { this.set((await read())?.pending ?? Number.NaN); },
  });
  new Gauge({
    name: 'hub_search_index_lag_seconds', help: 'Age of the oldest catalog change not yet in the search index (0 when none): how stale search can be', registers: [registry],
    async collect() { this.set((await read())?.lagSeconds ?? Number.NaN); },
  });
  new Gauge({
    name: 'hub_search_index_building_malls', help: 'Active malls whose search index is being built or rebuilt (their searches use the SQL path)', registers: [registry],
    async collect() { this.set((await read())?.building ?? Number.NaN); },
  });
}
