import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { findMallLine } from '../../../orders/line-store.ts';
import { sealedVouchers } from '../../../orders/voucher-store.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { mallSecurity, pathParam, Timestamp } from '../../schemas.ts';

const Voucher = z
  .object({
    code: z.string().openapi({ description: 'The full code, as the provider issued it' }),
    pin: z.string().nullable().openapi({ description: 'A password or PIN that goes with the code, when the provider gives one' }),
    expiresAt: Timestamp.nullable().openapi({ description: 'When the code stops working (null: no expiry given)' }),
  })
  .openapi('Voucher');

const ORDER_ID = 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d';

const reveal = createRoute({
  method: 'get',
  path: '/v1/orders/{orderId}/lines/{lineId}/vouchers',
  operationId: 'revealVouchers',
  tags: ['Orders'],
  summary: 'The full voucher codes of an issued line (each read is audited)',
  description: 'Order views show codes masked; this is the one place the owning mall reads them in full, to hand them to its member. Every call is written to the audit log.',
  security: mallSecurity,
  request: {
    params: z.object({
      orderId: pathParam('orderId', z.string().min(1).max(64), 'The hub order id (`ord_…`)', ORDER_ID),
      lineId: pathParam('lineId', z.string().min(1).max(64), "The mall's own line id, as sent in `lines[].lineId`", '2'),
    }),
  },
  responses: {
    200: jsonResponse('The line’s vouchers (empty until it is issued)', z.object({ orderId: z.string(), lineId: z.string(), vouchers: z.array(Voucher) }), {
      orderId: ORDER_ID,
      lineId: '2',
      vouchers: [{ code: 'JDE-7K3Q-M9XW-8812', pin: '604317', expiresAt: '2027-11-30T15:59:59.000Z' }],
    }),
    ...errorResponses(404),
  },
});

/** GET /v1/orders/{orderId}/lines/{lineId}/vouchers */
export function registerVoucherRoutes(app: HubApp): void {
  app.openapi(reveal, async (c) => {
    const deps = c.get('deps');
    const em = c.get('em');
    const mallId = callerMallId(c);
    const { orderId, lineId } = c.req.valid('param');
    const line = await findMallLine(em, mallId, orderId, lineId);
    if (!line) throw notFound('order line');
    const rows = await sealedVouchers(em, line.id);
    const vouchers = rows.map((r) => {
      const v = JSON.parse(deps.crypto.open(r.code)) as { code: string; password?: string };
      return { code: v.code, pin: v.password ?? null, expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null };
    });
    // Who read which codes, never the codes themselves.
    const { actor, requestId } = auditContext(c);
    recordAudit(em, deps.clock, { actor, action: 'voucher.reveal', resourceType: 'order_line', resourceId: line.id, mallId, after: { orderId, lineId, voucherIds: rows.map((r) => r.id) }, requestId });
    await em.flush();
    return c.json({ orderId, lineId, vouchers }, 200);
  });
}
