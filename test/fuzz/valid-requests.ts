import type { Operation } from './openapi-operations.ts';
import type { WebhookSigner } from './webhook-bodies.ts';
import type { WireRequest } from './wire.ts';

/** Real rows a hub holds, so requests get past "not found" into the handlers. */
export interface SeededIds {
  mallId: string;
  orderId: string;
  mallOrderId: string;
  lineId: string;
  skuId: string;
  eventId: string;
  tokenId: string;
  runId: string;
  deliveryId: string;
  ticketId: string;
}

/** What it takes to build a valid request for any operation of a hub. */
export interface RequestContext {
  apiKey: string;
  adminToken: string;
  ids: SeededIds;
  webhooks: WebhookSigner;
}

export const REGION = { province: '北京', city: '北京市', district: '朝阳区' };
export const RECIPIENT = { name: '张三', phone: '13800138000', ...REGION, address: '建国路 88 号 2 单元 301' };

/** A valid JSON body for each operation that takes one (a webhook's is signed, see `validRequest`). */
export function validBody(op: Operation, ctx: RequestContext, order?: { points: number; cashFen: number }): unknown {
  const { ids } = ctx;
  switch (op.id) {
    case 'updateOwnMall':
      return { pricing: { markupBp: 1500 } };
    case 'checkAvailability':
      return { items: [{ skuId: ids.skuId, quantity: 1 }], region: REGION };
    case 'createOrder':
      return {
        mallOrderId: `M-${Date.now()}`,
        member: { id: 'member-1', tier: 'gold' },
        recipient: RECIPIENT,
        lines: [{ lineId: '1', skuId: ids.skuId, quantity: 1, pointsPaid: order?.points ?? 1000, cashPaidFen: order?.cashFen ?? 0 }],
      };
    case 'cancelOrder':
      return { reason: 'member changed their mind' };
    case 'abortDeadLetter':
      return { reason: 'the supplier confirmed it never received the order' };
    case 'createMall':
      return { name: 'Another mall', webhookUrl: 'http://127.0.0.1:9/hook' };
    case 'updateMall':
      return { name: 'Renamed mall' };
    case 'rotateMallApiKey':
      return { graceSeconds: 0 };
    case 'createStaffToken':
      return { role: 'agent', name: 'support agent' };
    case 'openAftersaleTicket':
      return { lineId: ids.lineId, type: 'damaged', reason: '外包装破损', quantity: 1 };
    case 'addAftersaleEvidence':
      return { comment: '外箱也破了' };
    case 'withdrawAftersaleTicket':
      return { reason: '已协商解决' };
    case 'assignAftersaleTicket':
      return { assignee: 'agent-li' };
    case 'commentAftersaleTicket':
      return { text: '已联系供应商核实' };
    case 'resolveAftersaleTicket':
      return { action: 'reject', note: '照片显示商品完好' };
    case 'retryOrderLine':
      return { lineId: ids.lineId };
    case 'rerouteOrderLine':
      return { lineId: ids.lineId, reason: '供应商缺货' };
    case 'cancelOrderForStaff':
      return { reason: '会员取消' };
    case 'refundOrderLine':
      return { lineId: ids.lineId, units: 1, reason: '破损' };
    default:
      return op.body ? {} : undefined;
  }
}

/** The seeded value for a path parameter of `op`. */
export function pathValue(op: Operation, name: string, ids: SeededIds): string {
  if (name === 'supplierId') return op.path.startsWith('/webhooks/brand') ? 'brand-acme' : 'jd';
  if (name === 'provider') return 'topup-fulu';
  if (name === 'id') return ids.deliveryId;
  const v = (ids as unknown as Record<string, string | undefined>)[name];
  if (v === undefined) throw new Error(`no seeded value for path parameter ${name} of ${op.id}`);
  return v;
}

/** `op.path` with its parameters replaced by `values` (each already encoded). */
export const fillPath = (op: Operation, values: Record<string, string>): string => op.path.replace(/\{(\w+)\}/g, (_, n: string) => values[n] ?? '');

/** The bearer header `op` needs. */
export function authHeader(op: Operation, ctx: RequestContext): Record<string, string> {
  if (op.auth === 'mall') return { authorization: `Bearer ${ctx.apiKey}` };
  if (op.auth === 'staff') return { authorization: `Bearer ${ctx.adminToken}` };
  return {};
}

/** A request to `op` that the hub accepts when its dependencies are up (signed, for webhooks). */
export function validRequest(op: Operation, ctx: RequestContext): WireRequest {
  const values = Object.fromEntries(op.params.filter((p) => p.in === 'path').map((p) => [p.name, encodeURIComponent(pathValue(op, p.name, ctx.ids))]));
  const query = op.params.some((p) => p.in === 'query' && p.name === 'mallOrderId') ? `?mallOrderId=${encodeURIComponent(ctx.ids.mallOrderId)}` : '';
  const headers: Record<string, string> = { ...authHeader(op, ctx), ...(op.id === 'createOrder' || op.id === 'openAftersaleTicket' ? { 'idempotency-key': `valid-${Date.now()}-${Math.random()}` } : {}) };
  const fields = { id: `evt-${Date.now()}-${Math.random()}`, type: 'success', note: 'fine' };
  const signed = op.id === 'receiveBrandWebhook' ? ctx.webhooks.brand(fields) : op.id === 'receiveTaobaoPush' ? ctx.webhooks.taobao(fields) : op.id === 'receiveTopupCallback' ? ctx.webhooks.topup(fields) : null;
  if (signed) return { method: op.method, target: fillPath(op, values), headers: { ...headers, ...signed.headers }, body: Buffer.from(signed.body) };
  const body = validBody(op, ctx);
  return {
    method: op.method,
    target: fillPath(op, values) + query,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  };
}
