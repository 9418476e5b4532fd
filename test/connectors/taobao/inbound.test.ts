import { describe, expect, it } from 'vitest';
import type { InboundMessage, SupplierEvent, WebhookInbound } from '../../../connectors/connector.ts';
import { isSupplierError } from '../../../connectors/errors.ts';
import { parseUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';
import { normalizeCarrier } from '../../../connectors/shared/carrier.ts';
import { TaobaoConnector } from '../../../connectors/taobao/index.ts';
import { TAOBAO_CREDENTIALS } from './conformance-target.ts';
import { pushSample } from './top-stub.ts';

const inbound = new TaobaoConnector({ baseUrl: 'http://unused.test', credentials: TAOBAO_CREDENTIALS, timeoutMs: 100 }).inbound as WebhookInbound;

/** A recorded push as the hub's route hands it over, and the instant it was published. */
function recordedPush(name: string): { req: { headers: Record<string, string>; rawBody: string }; at: Date } {
  const rawBody = pushSample(name);
  const at = parseUtc8Timestamp((JSON.parse(rawBody) as { pub_time: string }).pub_time) as Date;
  return { req: { headers: { 'content-type': 'application/json' }, rawBody }, at };
}

function events(name: string): SupplierEvent[] {
  const { req, at } = recordedPush(name);
  return inbound.parse(inbound.verify(req, at));
}

function verifyError(rawBody: string, now: Date): unknown {
  try {
    inbound.verify({ headers: {}, rawBody }, now);
  } catch (err) {
    return err;
  }
  return null;
}

describe('Taobao push verification', () => {
  it('accepts a recorded push and names it by msg_id, the key TOP keeps across repeats', () => {
    const { req, at } = recordedPush('push-order-shipped');
    const message: InboundMessage = inbound.verify(req, at);
    const body = JSON.parse(req.rawBody) as { msg_id: string };
    expect(message).toEqual({ eventId: body.msg_id, eventType: 'fenxiao_OrderShipped', raw: req.rawBody });
  });

  it('acknowledges with HTTP 200 and {"success":true}, what TOP waits for', () => {
    expect(inbound.ack).toEqual({ status: 200, contentType: 'application/json', body: '{"success":true}' });
  });

  it.each([
    ['a tampered content', (raw: string) => raw.replace('WIRE-1', 'WIRE-2'), 0],
    ['a forged sign', (raw: string) => raw.replace(/"sign":"[0-9A-F]+"/, `"sign":"${'A'.repeat(64)}"`), 0],
    ['a body that is not JSON', (raw: string) => raw.slice(1), 0],
    ['a push more than 10 minutes old', (raw: string) => raw, 11 * 60_000],
  ])('rejects %s as bad_signature', (_name, change, lateMs) => {
    const { req, at } = recordedPush('push-order-shipped');
    expect(isSupplierError(verifyError(change(req.rawBody), new Date(at.getTime() + lateMs)), 'bad_signature')).toBe(true);
  });
});

describe('Taobao push parsing', () => {
  it('reads fenxiao_OrderShipped as order.shipped with the normalized carrier, waybill and trace', () => {
    const [shipped, ...rest] = events('push-order-shipped');
    expect(rest).toEqual([]);
    expect(shipped).toMatchObject({
      type: 'order.shipped',
      reference: 'WIRE-1',
      shipment: { carrier: 'ZTO', trackingNo: expect.stringMatching(/^7\d{11}$/), items: [{ supplierSkuId: '600984068872', quantity: 1 }] },
    });
    expect(shipped?.type === 'order.shipped' && shipped.shipment.events.map((e) => e.status)).toEqual(['picked_up', 'picked_up']);
  });

  it('reads a later fenxiao_OrderShipped as the same parcel with its in-transit steps', () => {
    const [shipped] = events('push-order-in-transit');
    expect(shipped?.type === 'order.shipped' && shipped.shipment.events.map((e) => e.status)).toEqual(['picked_up', 'picked_up', 'in_transit', 'in_transit']);
  });

  it('reads the push at TRADE_FINISHED as shipped with the full trace, then delivered', () => {
    const [shipped, delivered] = events('push-order-delivered');
    expect(shipped?.type).toBe('order.shipped');
    expect(delivered).toMatchObject({ type: 'order.delivered', reference: 'WIRE-1', trackingNo: shipped?.type === 'order.shipped' ? shipped.shipment.trackingNo : '' });
    expect(shipped?.type === 'order.shipped' && shipped.shipment.events.at(-1)?.status).toBe('delivered');
  });

  it('reads fenxiao_OrderClosed as order.cancelled with the reason', () => {
    expect(events('push-order-closed')).toEqual([expect.objectContaining({ type: 'order.cancelled', reference: 'WIRE-6', reason: '分销商取消' })]);
  });

  it('reads fenxiao_RefundStatusChanged as aftersale.updated, status by status', () => {
    const statuses = [1, 2, 3, 4].map((k) => events(`push-refund-status-${k}`)[0]).map((e) => (e?.type === 'aftersale.updated' ? e.status : null));
    expect(statuses).toEqual(['pending', 'approved', 'approved', 'refunded']);
  });

  it('reads item_StockChanged and item_PriceChanged as catalog.changed', () => {
    const [stock] = events('push-item-stock-changed');
    const [price] = events('push-item-price-changed');
    expect(stock).toMatchObject({ type: 'catalog.changed', change: 'stock' });
    expect(price).toMatchObject({ type: 'catalog.changed', change: 'price' });
    expect(stock?.type === 'catalog.changed' && stock.supplierSkuIds.every((id) => /^600\d{9}$/.test(id))).toBe(true);
  });

  it('gives no events for a topic it does not know', () => {
    const raw = JSON.stringify({ topic: 'taobao_trade_TradeCreate', content: '{}', pub_time: '2026-11-23 10:00:00', msg_id: 'x', sign: 'S' });
    expect(inbound.parse({ eventId: 'x', eventType: 'taobao_trade_TradeCreate', raw })).toEqual([]);
  });
});

describe('Taobao carriers', () => {
  it.each([
    ['中通快递', 'ZTO'],
    ['圆通速递', 'YTO'],
    ['申通快递', 'STO'],
    ['韵达快递', 'YUNDA'],
    ['顺丰速运', 'SF'],
    ['京东物流', 'JD'],
    ['中国邮政EMS', 'EMS'],
    ['yunda', 'YUNDA'],
    ['德邦快递', 'OTHER'],
    ['', 'OTHER'],
  ])('normalizes %s to %s', (name, carrier) => {
    expect(normalizeCarrier(name)).toBe(carrier);
  });
});
