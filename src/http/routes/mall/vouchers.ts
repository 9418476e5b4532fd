import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { findMallLine } from '../../../orders/line-store.ts';
import { sealedVouchers } from '../../../orders/voucher-store.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { mallSecurity } from '../../schemas.ts';

const Voucher = z
  .object({
    code: z.string().openapi({ description: 'The full code, as the provider issued it' }),
    pin: z.string().nullable().openapi({ description: 'A password or PIN that goes with the code, when the provider gives one' }),
    expiresAt: z.string().nullable(),
  })
  .openapi('Voucher');

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
      orderId: z.string().min(1).max(64).openapi({ param: { name: 'orderId', in: 'path' } }),
      lineId: z.string().min(1).max(64).openapi({ param: { name: 'lineId', in: 'path' }, description: "The mall's own line id" }),
    }),
  },
  responses: {
    200: { description: 'The line’s vouchers (empty until it is issued)', content: { 'application/json': { schema: z.object({ orderId: z.string(), lineId: z.string(), vouchers: z.array(Voucher) }) } } },
    ...errorResponses(401, 404, 429),
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
