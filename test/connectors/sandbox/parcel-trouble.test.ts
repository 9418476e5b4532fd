import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SupplierConnector, SupplierEvent, SupplierOrder, TrackingStatus, WebhookInbound } from '../../../connectors/connector.ts';
import { JD_MESSAGE as MSG } from '../../../connectors/jd/methods.ts';
import type { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import type { Sandbox } from '../../../connectors/sandbox/common/context.ts';
import type { ParcelTrouble } from '../../../connectors/sandbox/common/faults.ts';
import { summarize } from '../../../connectors/sandbox/common/inspect.ts';
import { renderSandboxPage } from '../../../connectors/sandbox/common/ui.ts';
import { goodsSku, stockFor } from '../../../fixtures/catalog/index.ts';
import { BEIJING, startBrandRig } from '../brand/harness.ts';
import { beijingOrder as jdOrder, startJd, wellStockedSkus } from '../jd/conformance-target.ts';
import { beijingOrder as taobaoOrder, startTaobao } from '../taobao/conformance-target.ts';
import { injectedFaults, putFaults } from './fault-control.ts';

// Parcels ship at 1 h, are in transit by 3 h and due at 27 h at the latest (JD counts each delay
// from the confirmation, Taobao and brands chain them): a week is long past any delivery.
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const lifecycle = { shipAfterMs: HOUR, transitAfterMs: 2 * HOUR, deliverAfterMs: 24 * HOUR, topupResultAfterMs: 1_000 };

/** One goods supplier as these tests drive it: its sandbox, the hub's connector, and how the hub would hear of a delivery. */
interface Rig {
  sandbox: Pick<Sandbox, 'id' | 'kind' | 'faults' | 'callbacks' | 'orderLedger' | 'afterSales'>;
  connector: SupplierConnector;
  clock: SandboxClock;
  baseUrl: string;
  /** Submits (and for JD confirms) a one-unit order; its supplier order id. */
  order(reference: string): Promise<string>;
  /** Delivery notices the hub got for the order: JD's pool message 5, Taobao's push with TRADE_FINISHED, a brand's order.delivered. */
  deliveredNotices(supplierOrderId: string): Promise<number>;
  stop(): Promise<void>;
}

/** A brand-acme product on the shelf and well stocked in Beijing at a catalog revision. */
function brandSkuAt(revision: number): string {
  for (let index = 0; index < 400; index++) {
    const sku = goodsSku('brand-acme', index, { seed: 31, size: 400, revision });
    if (sku.kind === 'physical' && sku.onShelf && stockFor({ supplier: 'brand-acme', index }, '110000', { seed: 31, revision }) >= 50) return sku.supplierSkuId;
  }
  throw new Error(`no brand-acme product in stock at revision ${revision}`);
}

const deliveredOf = (events: SupplierEvent[], supplierOrderId: string) => events.filter((e) => e.type === 'order.delivered' && e.supplierOrderId === supplierOrderId).length;

const RIGS: Record<string, () => Promise<Rig>> = {
  'brand-acme': async () => {
    const rig = await startBrandRig({ id: 'brand-acme', seed: 31, skus: 400, lifecycle });
    const startedAt = rig.clock.now().getTime();
    const inbound = rig.connector.inbound as WebhookInbound;
    return {
      sandbox: rig.sandbox, connector: rig.connector, clock: rig.clock, baseUrl: rig.baseUrl, stop: rig.stop,
      order: async (reference) => {
        // The brand revises its catalog daily, so the product is picked on the shelf of the day.
        const sku = brandSkuAt(Math.floor((rig.clock.now().getTime() - startedAt) / DAY));
        return (await rig.connector.submitOrder({ reference, lines: [{ supplierSkuId: sku, quantity: 1 }], recipient: BEIJING })).supplierOrderId;
      },
      deliveredNotices: async (id) => deliveredOf(rig.hooks.flatMap((h) => inbound.parse(inbound.verify({ headers: h.headers, rawBody: h.rawBody }, new Date()))), id),
    };
  },
  jd: async () => {
    const jd = await startJd({ seed: 37, skus: 600, lifecycle });
    const [sku = ''] = wellStockedSkus(37, 600, 1);
    if (jd.connector.inbound.mode !== 'poll') throw new Error('JD is polled');
    const inbound = jd.connector.inbound;
    return {
      sandbox: jd.jdSandbox, connector: jd.connector, clock: jd.clock, baseUrl: jd.baseUrl, stop: jd.stop,
      order: async (reference) => {
        const o = await jd.connector.submitOrder(jdOrder(reference, [sku]));
        await jd.connector.confirmOrder(o.supplierOrderId);
        return o.supplierOrderId;
      },
      deliveredNotices: async (id) => deliveredOf((await inbound.fetch([MSG.DELIVERED])).flatMap((m) => inbound.parse(m)), id),
    };
  },
  taobao: async () => {
    const run = await startTaobao({ seed: 41, skus: 400, lifecycle });
    const inbound = run.connector.inbound as WebhookInbound;
    return {
      sandbox: run.sandbox, connector: run.connector, clock: run.clock, baseUrl: run.baseUrl, stop: run.stop,
      order: async (reference) => (await run.connector.submitOrder(taobaoOrder(reference, run.orderedSku))).supplierOrderId,
      deliveredNotices: async (id) => deliveredOf(run.receiver.pushes.flatMap((p) => inbound.parse(inbound.verify({ headers: {}, rawBody: p.rawBody }, p.receivedAt))), id),
    };
  },
};

/** The parcel's tracking as the hub reads it, repeats folded (Taobao scans CONSIGN and TMS_ACCEPT, both picked up). */
function tracking(o: SupplierOrder): TrackingStatus[] {
  const [shipment] = o.shipments;
  expect(o.shipments).toHaveLength(1);
  return (shipment?.events ?? []).map((e) => e.status).filter((s, i, all) => s !== all[i - 1]);
}

describe.each(Object.keys(RIGS))('parcelTrouble at %s', (supplier) => {
  let rig: Rig;
  let n = 0;
  const ref = () => `PT-${supplier}-${Date.now().toString(36)}-${++n}`;

  beforeAll(async () => {
    rig = await (RIGS[supplier] as () => Promise<Rig>)();
  });
  afterAll(() => rig?.stop());
  beforeEach(async () => {
    await putFaults(rig.baseUrl, {});
  });

  /** Orders under `trouble`, lets it ship, switches the fault off (the parcel keeps its fate), and reads it a week on. */
  async function shippedUnder(trouble: ParcelTrouble): Promise<{ id: string; order: SupplierOrder }> {
    await putFaults(rig.baseUrl, { parcelTrouble: trouble });
    const id = await rig.order(ref());
    await rig.clock.advance(HOUR + 1);
    expect((await rig.connector.getOrder(id)).status).toBe('shipped');
    await putFaults(rig.baseUrl, {});
    await rig.clock.advance(WEEK);
    return { id, order: await rig.connector.getOrder(id) };
  }

  it.each([
    ['exception', ['picked_up', 'in_transit', 'exception']],
    ['returned_to_sender', ['picked_up', 'in_transit', 'returned_to_sender']],
    ['lost', ['picked_up', 'in_transit']],
  ] as const)('%s: the parcel goes picked up, in transit, then only what the carrier did instead; never delivered', async (trouble, expected) => {
    const before = (await injectedFaults(rig.baseUrl)).parcelsInTrouble;
    const { id, order } = await shippedUnder(trouble);
    expect(tracking(order)).toEqual(expected);
    expect(order.status).toBe('shipped');
    expect(await rig.deliveredNotices(id)).toBe(0);
    // Nothing more comes, however long one waits.
    await rig.clock.advance(WEEK);
    expect(tracking(await rig.connector.getOrder(id))).toEqual(expected);
    expect((await injectedFaults(rig.baseUrl)).parcelsInTrouble).toBe(before + 1);
  });

  it('delivers a parcel shipped with the fault off, even when the fault is switched on while it travels', async () => {
    const before = (await injectedFaults(rig.baseUrl)).parcelsInTrouble;
    const id = await rig.order(ref());
    await rig.clock.advance(HOUR + 1);
    await putFaults(rig.baseUrl, { parcelTrouble: 'lost' });
    await rig.clock.advance(WEEK);
    const order = await rig.connector.getOrder(id);
    expect(order.status).toBe('delivered');
    expect(tracking(order).at(-1)).toBe('delivered');
    expect(tracking(order)).not.toContain('exception');
    expect(await rig.deliveredNotices(id)).toBeGreaterThanOrEqual(1);
    expect((await injectedFaults(rig.baseUrl)).parcelsInTrouble).toBe(before);
  });

  it('shows the fault in force on the index and the page, and refuses a mode it does not know', async () => {
    await putFaults(rig.baseUrl, { parcelTrouble: 'returned_to_sender' });
    expect(summarize(rig.sandbox).faultsInForce).toEqual({ parcelTrouble: 'returned_to_sender' });
    const page = renderSandboxPage([rig.sandbox], rig.clock, { origin: 'http://127.0.0.1:4100' });
    expect(page).toContain('Faults in force: parcelTrouble &quot;returned_to_sender&quot;.');
    expect(page).toContain('<code>parcelTrouble</code>');
    const res = await fetch(`${rig.baseUrl}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parcelTrouble: 'stolen' }) });
    expect(res.status).toBe(400);
  });
});
