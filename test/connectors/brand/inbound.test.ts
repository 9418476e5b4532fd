import { describe, expect, it } from 'vitest';
import { signBrandWebhook } from '../../../connectors/brand/sign.ts';
import { isSupplierError } from '../../../connectors/errors.ts';
import { signedAt, webhookSample } from '../../../fixtures/wire/brand/samples.ts';
import { recordedConnector } from './wire-server.ts';

const inbound = recordedConnector().inbound;
if (inbound.mode !== 'webhook') throw new Error('brand connectors take webhooks');

function verify(type: string, mutate: (s: ReturnType<typeof webhookSample>) => void = () => undefined, nowShiftMs = 0) {
  const s = webhookSample(type);
  mutate(s);
  return inbound.verify({ headers: s.headers, rawBody: s.rawBody }, new Date(signedAt(webhookSample(type)).getTime() + nowShiftMs));
}

function rejection(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}

const parsed = (type: string) => inbound.parse(verify(type));
const data = (type: string) => JSON.parse(webhookSample(type).rawBody) as { id: string; created: string; data: Record<string, any> };

describe('brand webhooks: verify', () => {
  it('accepts a recorded delivery and identifies it by the event id', () => {
    const message = verify('order.shipped');
    expect(message).toEqual({ eventId: data('order.shipped').id, eventType: 'order.shipped', raw: webhookSample('order.shipped').rawBody });
    expect(inbound.ack).toEqual({ status: 200, contentType: 'application/json', body: '{"received":true}' });
  });

  it('reads the signature header whatever its case', () => {
    expect(verify('order.accepted', (s) => (s.headers = { 'X-Brand-Signature': s.headers['x-brand-signature'] ?? '' })).eventType).toBe('order.accepted');
  });

  it.each([
    ['a changed body', (s: ReturnType<typeof webhookSample>) => (s.rawBody = s.rawBody.replace('order.shipped', 'order.delivered'))],
    ['a missing header', (s: ReturnType<typeof webhookSample>) => (s.headers = {})],
    ['a malformed header', (s: ReturnType<typeof webhookSample>) => (s.headers = { 'x-brand-signature': 'v1=abc' })],
    ['another secret', (s: ReturnType<typeof webhookSample>) => (s.headers = { 'x-brand-signature': signBrandWebhook(s.rawBody, 'another-secret', signedAt(s).getTime() / 1000) })],
  ])('throws bad_signature for %s', (_name, mutate) => {
    const err = rejection(() => verify('order.shipped', mutate));
    expect(isSupplierError(err, 'bad_signature')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(false);
  });

  it('throws bad_signature for a delivery older than 5 minutes (stale)', () => {
    expect(verify('order.shipped', undefined, 299_000).eventId).toBeTruthy();
    const err = rejection(() => verify('order.shipped', undefined, 301_000));
    expect(isSupplierError(err, 'bad_signature')).toBe(true);
    expect((err as { supplierCode: string }).supplierCode).toBe('stale');
  });
});

describe('brand webhooks: parse', () => {
  it('order.shipped gives the shipment with the carrier normalized', () => {
    const d = data('order.shipped');
    const [event] = parsed('order.shipped');
    expect(event).toMatchObject({ type: 'order.shipped', supplierOrderId: d.data.orderId, reference: d.data.clientReference, at: d.created });
    expect(event?.type === 'order.shipped' && event.shipment.trackingNo).toBe(d.data.shipment.trackingNumber);
    expect(event?.type === 'order.shipped' && ['SF', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'EMS', 'OTHER'].includes(event.shipment.carrier)).toBe(true);
  });

  it('order.accepted, order.backordered, order.delivered and order.cancelled update the order', () => {
    expect(parsed('order.accepted')[0]).toMatchObject({ type: 'order.updated', status: 'accepted', reference: data('order.accepted').data.clientReference });
    expect(parsed('order.backordered')[0]).toMatchObject({ type: 'order.updated', status: 'backordered' });
    expect(parsed('order.delivered')[0]).toEqual({
      type: 'order.delivered',
      supplierOrderId: data('order.delivered').data.orderId,
      reference: data('order.delivered').data.clientReference,
      trackingNo: data('order.delivered').data.trackingNumber,
      at: data('order.delivered').created,
    });
    expect(parsed('order.cancelled')[0]).toMatchObject({ type: 'order.cancelled', reason: 'member cancelled' });
  });

  it('order.accepted of a service order (issued) is order.issued', () => {
    const raw = JSON.stringify({ id: 'evt_1', type: 'order.accepted', created: '2026-11-23T02:00:00.000Z', data: { orderId: 'ACME-O-1', clientReference: 'H1', status: 'issued' } });
    expect(inbound.parse({ eventId: 'evt_1', eventType: 'order.accepted', raw })).toEqual([{ type: 'order.issued', supplierOrderId: 'ACME-O-1', reference: 'H1', at: '2026-11-23T02:00:00.000Z' }]);
  });

  it('return.received and return.rejected update the after-sale', () => {
    expect(parsed('return.received')).toEqual([{ type: 'aftersale.updated', afterSaleId: data('return.received').data.returnId, supplierOrderId: data('return.received').data.orderId, status: 'received', at: data('return.received').created }]);
    expect(parsed('return.rejected')[0]).toMatchObject({ type: 'aftersale.updated', status: 'rejected' });
  });

  it('an event type the hub does not know gives no events', () => {
    const raw = JSON.stringify({ id: 'evt_2', type: 'product.updated', created: '2026-11-23T02:00:00.000Z', data: { productId: 'ACME-000001' } });
    expect(inbound.parse({ eventId: 'evt_2', eventType: 'product.updated', raw })).toEqual([]);
  });

  it('an authentic event that is not readable is invalid_response, not retried', () => {
    const raw = JSON.stringify({ id: 'evt_3', type: 'order.shipped', created: '2026-11-23T02:00:00.000Z', data: { orderId: 'ACME-O-1' } });
    const err = rejection(() => inbound.parse({ eventId: 'evt_3', eventType: 'order.shipped', raw }));
    expect(isSupplierError(err, 'invalid_response')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(false);
  });
});
