import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/mall-webhooks/webhook-attempts.ts';
import { dispatchMallEvents } from '../../src/mall-webhooks/webhook-deliveries.ts';
import { MALL_EVENT_DOCS, MALL_EVENT_TYPES } from '../../src/mall-webhooks/event-schemas.ts';
import { processCatalogSync } from '../../src/queues/processors/catalog-sync.processor.ts';
import { itemFrom } from '../support/catalog-items.ts';
import { json } from '../support/hub.ts';
import { settleOrder } from '../support/settle.ts';
import { startWorkflowHub, type WorkflowHub } from '../support/workflow-hub.ts';

/*
 * Every event a realistic run writes (orders completed, partly failed, failed and cancelled, a
 * reroute, vouchers issued, parcels tracked and delivered, a catalog sync) validates against the
 * schema the served /openapi.json registers for its type in `webhooks`, both as a delivery POSTs it
 * and as GET /v1/events lists it; and carries no field the schema does not name.
 */

type Schema = Record<string, any>;
const recipient = { name: '王五', phone: '13700137000', province: '北京', city: '北京市', district: '朝阳区', address: '望京街 1 号' };

let wf: WorkflowHub;
let doc: Schema;
beforeAll(async () => {
  wf = await startWorkflowHub({
    seed: 61,
    suppliers: ['jd', 'brand-acme', 'topup-fulu', 'topup-yike'],
    mallName: 'Event schema mall',
    env: { HUB_ISSUANCE_POLL_MS: '1000', HUB_SHIPMENT_POLL_MS: '1000', HUB_TRACKING_STALE_MS: '1000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_WORKFLOW_MAX_ATTEMPTS: '4', HUB_SUPPLIER_TIMEOUT_MS: '1500' },
  });
  doc = await json(await wf.hub.call('GET', '/openapi.json'));
}, 120_000);
afterAll(async () => {
  await wf?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => wf.hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

let n = 0;
async function place(lines: { skuId: string; points: number; cashFen: number; rechargeAccount?: string }[]): Promise<string> {
  const res = await wf.hub.call('POST', '/v1/orders', {
    token: wf.mall.apiKey,
    headers: { 'idempotency-key': `es-${++n}` },
    body: {
      mallOrderId: `ES-${n}`,
      member: { id: 'member-1' },
      recipient,
      lines: lines.map((l, i) => ({ lineId: String(i + 1), skuId: l.skuId, quantity: 1, pointsPaid: l.points, cashPaidFen: l.cashFen, ...(l.rechargeAccount ? { rechargeAccount: l.rechargeAccount } : {}) })),
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json(res)).orderId as string;
}

const settle = (orderId: string, done: (o: Record<string, any>) => boolean, supplierMs = 3_600_000) =>
  settleOrder({ hub: wf.hub, sandboxClock: wf.sandboxClock, apiKey: wf.mall.apiKey }, orderId, done, { hubMs: 2_000, supplierMs, rounds: 80 });
const settled = (o: Record<string, any>) => ['completed', 'partially_failed', 'failed', 'cancelled'].includes(o.status);

/** A virtual item of a type (`phone_topup`, `voucher`) the mall sells. */
async function virtualItem(type: string) {
  const [row] = await sql<{ sku_id: string; points: number; cash_fen: number }[]>(
    "select ci.sku_id, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? where ci.match_key like ? and mi.sellable order by ci.id limit 1",
    [wf.mall.mallId, `v:${type}|%`],
  );
  if (!row) throw new Error(`no ${type} item`);
  return { skuId: row.sku_id, points: row.points, cashFen: row.cash_fen };
}

/** The document's component schemas, every object closed: a field the schema does not name fails. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' || k === 'examples' ? v : closed(v);
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function validatorFor() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: 'https://hub.test/openapi.json', components: closed(doc.components) });
  return (ref: string) => {
    const v = ajv.getSchema(`https://hub.test/openapi.json${ref}`);
    if (!v) throw new Error(`no schema ${ref}`);
    return v;
  };
}

describe('mall event schemas', () => {
  it('registers one webhook per event type, each with its schema, the delivery headers and an example that validates', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...MALL_EVENT_TYPES].sort());
    const schema = validatorFor();
    for (const d of MALL_EVENT_DOCS) {
      const post = doc.webhooks[d.type].post;
      expect(post.description).toContain('seq');
      expect(post.parameters.map((p: Schema) => p.name)).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
      const media = post.requestBody.content['application/json'];
      expect(media.schema.$ref).toBe(`#/components/schemas/${d.name}`);
      const validate = schema(media.schema.$ref);
      expect(validate(media.example), `${d.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // The schema says which type it is: another type's example does not pass.
      const other = MALL_EVENT_DOCS.find((x) => x.type !== d.type)?.example;
      expect(validate(other)).toBe(false);
    }
    // GET /v1/events lists the union of them.
    const listed = doc.paths['/v1/events'].get.responses['200'].content['application/json'].schema;
    expect(listed.properties.items.items.$ref).toBe('#/components/schemas/MallEvent');
    expect(doc.components.schemas.MallEvent.oneOf).toHaveLength(MALL_EVENT_TYPES.length);
  });

  it('validates every event a realistic run writes, as delivered and as listed, and the order’s final event comes once, last', async () => {
    const { hub, mall } = wf;
    const sandbox = (id: string) => wf.sandbox(id);
    // Completed: a parcel tracked to the door and a phone top-up.
    const parcel = await itemFrom(hub, mall.mallId, 'physical', ['brand-acme'], recipient);
    const topup = await virtualItem('phone_topup');
    const completed = await place([parcel, { ...topup, rechargeAccount: '+86 136-0013-6000' }]);
    // Partly failed: voucher codes issued, a parcel no source has.
    const voucher = await virtualItem('voucher');
    const nowhere = await itemFrom(hub, mall.mallId, 'physical', ['jd'], recipient);
    sandbox('jd').faults.set({ stockoutSkus: [nowhere.offers.jd as string] });
    const partly = await place([voucher, nowhere]);
    // Failed: the one line no source has.
    const failed = await place([nowhere]);
    // Rerouted: the cheapest source turns out sold out at the order itself.
    const both = await itemFrom(hub, mall.mallId, 'physical', ['brand-acme', 'jd'], recipient);
    const [first] = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id', [both.skuId])).map((r) => r.supplier_id);
    if (first === 'jd') sandbox('jd').faults.set({ stockoutSkus: [nowhere.offers.jd as string], soldOutAtOrderSkus: [both.offers.jd as string] });
    else sandbox('brand-acme').faults.set({ soldOutAtOrderSkus: [both.offers['brand-acme'] as string] });
    const rerouted = await place([both]);
    // Cancelled at the mall's request once placed.
    const cancelled = await place([parcel]);
    try {
      await settle(cancelled, (o) => o.lines[0].status === 'accepted', 1_000);
      const res = await hub.call('POST', `/v1/orders/${cancelled}/cancel`, { token: mall.apiKey, body: { reason: '会员取消兑换' } });
      expect((await json(res)).order.status).toBe('cancelled');
      await settle(rerouted, (o) => ['accepted', 'shipped', 'delivered', 'failed'].includes(o.lines[0].status), 1_000);
      await settle(failed, settled, 1_000);
      await settle(partly, settled, 1_000);
    } finally {
      sandbox('jd').faults.reset();
      sandbox('brand-acme').faults.reset();
    }
    // Tracked hour by hour, so the parcel's steps are seen one at a time.
    await settle(completed, settled);
    // After delivery, the member reports the parcel damaged: aftersale.updated, after the order's final event.
    const ticket = await hub.call('POST', `/v1/orders/${completed}/after-sales`, { token: mall.apiKey, headers: { 'idempotency-key': `es-as-${completed}` }, body: { lineId: '1', type: 'damaged', reason: '外包装破损', quantity: 1 } });
    expect(ticket.status, await ticket.clone().text()).toBe(201);
    // A catalog sync of another source changes the feed: every mall hears of it.
    await processCatalogSync({ supplierId: 'brand-lumen', mode: 'full' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, connectors: hub.deps.connectors, overlapMs: 60_000, leaseMs: 60_000 });

    const statusOf = async (orderId: string) => (await json(await hub.call('GET', `/v1/orders/${orderId}`, { token: mall.apiKey }))).status;
    expect(await statusOf(completed)).toBe('completed');
    expect(await statusOf(partly)).toBe('partially_failed');
    expect(await statusOf(failed)).toBe('failed');

    // As delivered: the bodies the delivery worker would POST, built by its own statement.
    const em = hub.deps.orm.em.fork();
    const jobs = [];
    for (let round = await dispatchMallEvents(em, hub.clock, 10_000); round.events > 0; round = await dispatchMallEvents(em, hub.clock, 10_000)) jobs.push(...round.jobs);
    const delivered = (await claimDeliveries(em, hub.clock, jobs, 60_000)).map((d) => JSON.parse(d.body) as Schema);
    // As listed: every page of GET /v1/events.
    const listed: Schema[] = [];
    const listPage = validatorFor()('#/components/schemas/MallEvent');
    for (let cursor: string | null = ''; cursor !== null; ) {
      const res = await hub.call('GET', `/v1/events?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: mall.apiKey });
      const page = await json(res);
      listed.push(...page.items);
      cursor = page.nextCursor;
    }
    const ours = delivered.filter((e) => listed.some((l) => l.id === e.id));
    expect(ours.length).toBe(listed.length);

    const schema = validatorFor();
    const failures: string[] = [];
    for (const [how, events] of [['delivered', ours], ['listed', listed]] as const) {
      for (const e of events) {
        const d = MALL_EVENT_DOCS.find((x) => x.type === e.type);
        if (!d) {
          failures.push(`${how} ${e.id}: no schema for type ${e.type}`);
          continue;
        }
        const validate = schema(`#/components/schemas/${d.name}`);
        if (!validate(e)) failures.push(`${how} ${e.type} ${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
        if (!listPage(e)) failures.push(`${how} ${e.type} is not a MallEvent: ${JSON.stringify(listPage.errors)}`);
      }
    }
    expect(failures).toEqual([]);
    // The run wrote every type the hub has.
    expect([...new Set(listed.map((e) => e.type))].sort()).toEqual([...MALL_EVENT_TYPES].sort());

    // Each settled order: its final event once, as its last, with the lines as they ended.
    for (const [orderId, final] of [[completed, 'order.completed'], [partly, 'order.partially_failed'], [failed, 'order.failed'], [cancelled, 'order.cancelled']] as const) {
      const events = listed.filter((e) => e.data.orderId === orderId).sort((a, b) => a.data.seq - b.data.seq);
      expect(events.map((e) => e.data.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type.startsWith('order.') && e.type !== 'order.accepted').map((e) => e.type)).toEqual([final]);
      // After-sales events may follow it (a ticket is opened on a delivered line): it is the last of the others.
      expect(events.filter((e) => e.type !== 'aftersale.updated').at(-1)?.type).toBe(final);
    }
    const partlyFinal = listed.find((e) => e.type === 'order.partially_failed' && e.data.orderId === partly) as Schema;
    expect(partlyFinal.data).toMatchObject({
      status: 'partially_failed',
      lines: [{ lineId: '1', status: 'issued', refundedPoints: 0 }, { lineId: '2', status: 'failed', quantityFailed: 1, refundedPoints: nowhere.points, refundedCashFen: nowhere.cashFen }],
      totals: { lines: 2, quantity: 2, quantityFulfilled: 1, quantityFailed: 1, refundedPoints: nowhere.points, pointsPaid: voucher.points + nowhere.points },
    });
    // line.issued names its codes masked, never in full.
    const issued = listed.find((e) => e.type === 'line.issued' && e.data.orderId === partly) as Schema;
    expect(issued.data.voucherCount).toBeGreaterThan(0);
    expect(issued.data.vouchers).toHaveLength(issued.data.voucherCount);
    for (const v of issued.data.vouchers) expect(v.code).toMatch(/^\*+.{4}$/);
    const view = await json(await hub.call('GET', `/v1/orders/${partly}`, { token: mall.apiKey }));
    expect(issued.data.vouchers).toEqual(view.lines[0].issuance.vouchers);
    // A recharge: no codes. The account went to the provider as its 11 digits.
    expect(listed.find((e) => e.type === 'line.issued' && e.data.orderId === completed)?.data).toMatchObject({ voucherCount: 0, vouchers: [] });
  }, 240_000);
});
