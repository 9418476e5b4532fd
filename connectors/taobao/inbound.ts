import type { InboundMessage, SupplierEvent, WebhookAck, WebhookInbound, WebhookRequest } from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { isoOf, afterSaleStatusOf, shipmentOf } from './mapper.ts';
import { verifyTaobaoPush } from './sign.ts';
import { ClosedContent, ItemChangedContent, PushBody, RefundChangedContent, ShippedContent } from './wire.ts';

/** Push topics (ours, see suppliers.md). */
export const TOPICS = {
  orderShipped: 'fenxiao_OrderShipped',
  orderClosed: 'fenxiao_OrderClosed',
  refundChanged: 'fenxiao_RefundStatusChanged',
  stockChanged: 'item_StockChanged',
  priceChanged: 'item_PriceChanged',
} as const;

/** What TOP expects back once a push is stored; anything else and it pushes again. */
export const TAOBAO_ACK: WebhookAck = { status: 200, contentType: 'application/json', body: '{"success":true}' };

/**
 * Taobao pushes: `{topic, content, pub_time, user_id, nick, msg_id, sign}` signed like requests.
 * `msg_id` identifies a message across repeats, so it is the hub's dedup key.
 */
export function taobaoInbound(supplier: string, appSecret: string): WebhookInbound {
  return {
    mode: 'webhook',
    ack: TAOBAO_ACK,
    verify(req: WebhookRequest, now: Date): InboundMessage {
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody);
      } catch {
        throw new SupplierError(supplier, 'bad_signature', 'push body is not JSON');
      }
      const verdict = verifyTaobaoPush(body, appSecret, now);
      if (!verdict.ok) throw new SupplierError(supplier, 'bad_signature', `push rejected: ${verdict.reason}`, { supplierCode: verdict.reason });
      const push = PushBody.parse(body);
      return { eventId: push.msg_id, eventType: push.topic, raw: req.rawBody };
    },
    parse(message: InboundMessage): SupplierEvent[] {
      try {
        return parsePush(message.raw);
      } catch (err) {
        throw new SupplierError(supplier, 'invalid_response', `unreadable ${message.eventType} push ${message.eventId}`, { retryable: false, cause: err });
      }
    },
  };
}

/** The neutral events of one stored push; an unknown topic gives none. */
function parsePush(raw: string): SupplierEvent[] {
  const push = PushBody.parse(JSON.parse(raw));
  const content: unknown = JSON.parse(push.content);
  const fallbackAt = isoOf(push.pub_time) ?? new Date(0).toISOString();
  switch (push.topic) {
    case TOPICS.orderShipped: {
      const c = ShippedContent.parse(content);
      const at = isoOf(c.modified) ?? fallbackAt;
      const reference = c.dist_order_no ? { reference: c.dist_order_no } : {};
      const shipment = shipmentOf({ name: c.logistics_company_name, code: c.logistics_company_code }, c.logistics_id, c.items, c.trace);
      const shipped: SupplierEvent = { type: 'order.shipped', supplierOrderId: c.fenxiao_id, ...reference, shipment, at: isoOf(c.consign_time) ?? at };
      // The same topic carries later trace steps; the last one, at delivery, has status TRADE_FINISHED.
      if (c.status !== 'TRADE_FINISHED') return [shipped];
      return [shipped, { type: 'order.delivered', supplierOrderId: c.fenxiao_id, ...reference, trackingNo: c.logistics_id, at }];
    }
    case TOPICS.orderClosed: {
      const c = ClosedContent.parse(content);
      return [
        {
          type: 'order.cancelled',
          supplierOrderId: c.fenxiao_id,
          ...(c.dist_order_no ? { reference: c.dist_order_no } : {}),
          ...(c.close_reason ? { reason: c.close_reason } : {}),
          at: isoOf(c.modified) ?? fallbackAt,
        },
      ];
    }
    case TOPICS.refundChanged: {
      const c = RefundChangedContent.parse(content);
      const status = afterSaleStatusOf(c.refund_status, c.is_return_goods);
      if (!status) return [];
      return [{ type: 'aftersale.updated', afterSaleId: c.refund_id, ...(c.purchase_order_id ? { supplierOrderId: c.purchase_order_id } : {}), status, at: isoOf(c.modified) ?? fallbackAt }];
    }
    case TOPICS.stockChanged:
    case TOPICS.priceChanged: {
      const c = ItemChangedContent.parse(content);
      const change = push.topic === TOPICS.stockChanged ? 'stock' : 'price';
      return [{ type: 'catalog.changed', supplierSkuIds: c.num_iids, change, at: isoOf(c.modified) ?? fallbackAt }];
    }
    default:
      return [];
  }
}
