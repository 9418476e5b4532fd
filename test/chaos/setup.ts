import type { ChaosDb } from './database.ts';
import type { HubClient } from './hub-client.ts';
import { say, waitFor } from './progress.ts';

/** A mall the run drives: its key, its webhook receiver's name, and the secret its webhooks are signed with. */
export interface Mall {
  name: 'mall-a' | 'mall-b';
  mallId: string;
  apiKey: string;
  webhookSecret: string;
  receiver: string;
}

/**
 * What an order line can be, by where the hub will get it: only JD, only Taobao, only a brand
 * (goods), two or more suppliers (failover), a brand e-voucher (service), a top-up (recharge) or a
 * top-up card (voucher codes).
 */
export type SkuGroup = 'jd' | 'taobao' | 'brand' | 'multi-source' | 'service' | 'topup' | 'card';
export const SKU_GROUPS: readonly SkuGroup[] = ['jd', 'taobao', 'brand', 'multi-source', 'service', 'topup', 'card'];

export interface Sku {
  skuId: string;
  group: SkuGroup;
  kind: 'physical' | 'virtual' | 'service';
  points: number;
  cashFen: number;
  /** The suppliers that sell it, and their own SKU ids (for stockout faults). */
  offers: { supplierId: string; supplierSkuId: string }[];
}

/** Queues a full sync of every supplier and waits until each has succeeded since. */
export async function syncCatalogs(client: HubClient, adminToken: string, timeoutMs: number): Promise<string[]> {
  const status = await client.call({ method: 'GET', path: '/admin/catalog/sync', route: 'GET /admin/catalog/sync', token: adminToken });
  if (status.status !== 200) throw new Error(`GET /admin/catalog/sync answered ${status.status}`);
  const suppliers = (status.json.items as { supplierId: string }[]).map((s) => s.supplierId);
  const since = new Date(Date.now() - 1000).toISOString();
  for (const id of suppliers) {
    const r = await client.call({ method: 'POST', path: `/admin/catalog/sync/${id}`, route: 'POST /admin/catalog/sync/{supplierId}', token: adminToken });
    if (r.status !== 202) throw new Error(`POST /admin/catalog/sync/${id} answered ${r.status} ${JSON.stringify(r.json)}`);
  }
  say('setup', `catalog sync queued for ${suppliers.join(', ')}`);
  await waitFor('every supplier\'s catalog sync to succeed', async () => {
    const r = await client.call({ method: 'GET', path: '/admin/catalog/sync', route: 'GET /admin/catalog/sync', token: adminToken });
    const items = (r.json?.items ?? []) as { supplierId: string; lastSuccessAt: string | null; lastRun: { status: string; lastError: string | null } | null }[];
    const failed = items.find((s) => s.lastRun?.status === 'failed');
    if (failed) throw new Error(`catalog sync of ${failed.supplierId} failed: ${failed.lastRun?.lastError}`);
    return items.length > 0 && items.every((s) => s.lastSuccessAt !== null && s.lastSuccessAt >= since) ? true : undefined;
  }, timeoutMs, 1000);
  return suppliers;
}

/** Creates a mall whose webhooks go to the sandbox's receiver `name`, which records every event and checks signatures. */
export async function createMall(client: HubClient, adminToken: string, sandboxUrl: string, name: Mall['name'], receiver: string): Promise<Mall> {
  const r = await client.call({
    method: 'POST', path: '/admin/malls', route: 'POST /admin/malls', token: adminToken,
    body: { name: `chaos ${name}`, webhookUrl: `${sandboxUrl}/mall-receiver/${receiver}` },
  });
  if (r.status !== 201) throw new Error(`POST /admin/malls answered ${r.status} ${JSON.stringify(r.json)}`);
  const mall: Mall = { name, mallId: r.json.mallId, apiKey: r.json.apiKey, webhookSecret: r.json.webhookSecret, receiver };
  const cfg = await fetch(`${sandboxUrl}/mall-receiver/${receiver}/config`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record: true, secret: mall.webhookSecret, failWith: null }),
  });
  if (!cfg.ok) throw new Error(`mall receiver config answered ${cfg.status}`);
  return mall;
}

/** Waits until the mall's catalog is priced (a worker does it after creation). */
export async function waitPriced(client: HubClient, db: ChaosDb, mall: Mall, timeoutMs: number): Promise<number> {
  return waitFor(`${mall.name}'s catalog to be priced`, async () => {
    const r = await client.call({ method: 'GET', path: '/v1/mall', route: 'GET /v1/mall', token: mall.apiKey });
    if (r.json?.pricingStatus?.state !== 'current') return undefined;
    const [row] = await db.rows<{ n: string }>('select count(*) as n from mall_item where mall_id = $1 and sellable', [mall.mallId]);
    return Number(row?.n) > 0 ? Number(row?.n) : undefined;
  }, timeoutMs, 1000);
}

/**
 * The mall's sellable SKUs, grouped by where the hub will get them. Read from the database
 * (which sources sell an item is not in the mall API, by design); prices are the mall's own.
 * Goods with little synced stock are left out, so intake does not refuse most of the load.
 */
export async function skusOf(db: ChaosDb, mall: Mall): Promise<Map<SkuGroup, Sku[]>> {
  const rows = await db.rows<{ sku_id: string; kind: Sku['kind']; points: number; cash_fen: number; stock_units: number | null; offers: { supplierId: string; supplierSkuId: string; type: string | null }[] }>(
    `select ci.sku_id, ci.kind, mi.points, mi.cash_fen, mi.stock_units,
            json_agg(json_build_object('supplierId', o.supplier_id, 'supplierSkuId', o.supplier_sku_id, 'type', o.supplier_category_id) order by o.supplier_id) as offers
     from mall_item mi
     join catalog_item ci on ci.id = mi.item_id
     join catalog_offer o on o.item_id = ci.id and o.removed_at is null and o.on_shelf
     where mi.mall_id = $1 and mi.sellable and (mi.stock_units is null or mi.stock_units >= 20)
     group by ci.sku_id, ci.kind, mi.points, mi.cash_fen, mi.stock_units, ci.id
     order by ci.id`,
    [mall.mallId],
  );
  const groups = new Map<SkuGroup, Sku[]>(SKU_GROUPS.map((g) => [g, []]));
  for (const r of rows) {
    const suppliers = new Set(r.offers.map((o) => o.supplierId));
    let group: SkuGroup;
    if (r.kind === 'virtual') group = r.offers.some((o) => o.type === 'voucher') ? 'card' : 'topup';
    else if (r.kind === 'service') group = 'service';
    else if (suppliers.size > 1) group = 'multi-source';
    else if (suppliers.has('jd')) group = 'jd';
    else if (suppliers.has('taobao')) group = 'taobao';
    else group = 'brand';
    groups.get(group)?.push({ skuId: r.sku_id, group, kind: r.kind, points: r.points, cashFen: r.cash_fen, offers: r.offers.map(({ supplierId, supplierSkuId }) => ({ supplierId, supplierSkuId })) });
  }
  return groups;
}
