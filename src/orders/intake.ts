import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { provinceCodeOf } from '../../connectors/shared/region.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, type FieldIssue, validationFailed } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { checkIntake, type IntakeLine, type MallPrice } from '../domain/order-intake.ts';
import { addOutboxJob, type OutboxJob } from '../persistence/job-outbox.ts';
import { findOrder, orderView, type OrderView } from '../persistence/order-store.ts';
import { appendMallEvent } from '../persistence/outbox.ts';
import type { CryptoBox } from '../security/crypto-box.ts';

/** POST /v1/orders as validated by the route. */
export interface OrderRequest {
  mallOrderId: string;
  member: { id: string; tier?: string | undefined };
  recipient?: { name: string; phone: string; province: string; city: string; district: string; address: string } | undefined;
  lines: IntakeLine[];
}

export interface IntakeDeps {
  em: EntityManager;
  clock: Clock;
  crypto: CryptoBox;
}

/** The workflow each kind of line runs, and the queue its runs are executed from. */
const WORKFLOW_OF = { physical: 'fulfil-line', service: 'fulfil-line', virtual: 'issue-line' } as const;
export const WORKFLOW_QUEUE = 'workflow';

/** Same JSON for the same request whatever the key order: what the idempotency hash is taken of. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505' || /duplicate key value/.test(String((err as Error)?.message));

/**
 * Accepts a redemption order: idempotent on the mall's key, checked against the synced catalog,
 * and committed with its lines, ledger entries, first mall event and workflow jobs in one
 * transaction. Returns `created: false` with the existing order for a repeated request.
 */
export async function acceptOrder(
  deps: IntakeDeps,
  mallId: string,
  idempotencyKey: string,
  req: OrderRequest,
): Promise<{ created: boolean; order: OrderView; jobs: (OutboxJob & { rowId: string })[] }> {
  const requestHash = createHash('sha256').update(canonical(req)).digest('hex');
  const replay = await replayed(deps.em, mallId, idempotencyKey, requestHash, req.mallOrderId);
  if (replay) return { created: false, order: replay, jobs: [] };

  const prices = await mallPrices(deps.em, mallId, req.lines.map((l) => l.skuId));
  const unknown = checkIntake(req.lines, prices);
  if (!unknown.ok && unknown.code === 'unknown_sku') throw business(unknown.code, 'no such item in this mall\'s catalog', unknown.lines);
  checkFields(req, prices);
  const verdict = checkIntake(req.lines, prices);
  if (!verdict.ok) throw business(verdict.code, verdict.code === 'price_changed' ? 'paid less than the current price' : 'not in stock at any source', verdict.lines);
  if (req.recipient && !provinceCodeOf(req.recipient.province)) {
    throw new AppError('address_unserviceable', 'no source delivers to this province', { details: { province: req.recipient.province } });
  }

  try {
    const { orderId, jobs } = await deps.em.transactional((tx) => insertOrder({ ...deps, em: tx }, mallId, idempotencyKey, requestHash, req, prices));
    const order = await findOrder(deps.em, mallId, { orderId });
    return { created: true, order: await orderView(deps.em, order as NonNullable<typeof order>), jobs };
  } catch (err) {
    // A concurrent request with the same key (or mall order id) committed first: answer as it would.
    if (!isUniqueViolation(err)) throw err;
    const again = await replayed(deps.em, mallId, idempotencyKey, requestHash, req.mallOrderId);
    if (again) return { created: false, order: again, jobs: [] };
    throw err;
  }
}

async function replayed(em: EntityManager, mallId: string, key: string, hash: string, mallOrderId: string): Promise<OrderView | null> {
  // By mall order id too: a concurrent request with this key may have committed between two lookups.
  const byMallOrderId = await findOrder(em, mallId, { mallOrderId });
  const byKey = byMallOrderId?.idempotency_key === key ? byMallOrderId : await findOrder(em, mallId, { idempotencyKey: key });
  if (byKey) {
    if (byKey.request_hash !== hash) throw new AppError('idempotency_conflict', 'this Idempotency-Key was used with another request body');
    return orderView(em, byKey);
  }
  if (byMallOrderId) throw new AppError('duplicate_mall_order', `mallOrderId ${mallOrderId} was already used by this mall under another key`);
  return null;
}

const business = (code: 'unknown_sku' | 'price_changed' | 'out_of_stock', message: string, lines: unknown[]) => new AppError(code, message, { details: { lines } });

/** The calling mall's current price rows for the SKUs; missing: unknown, or outside its selection. */
async function mallPrices(em: EntityManager, mallId: string, skuIds: string[]): Promise<Map<string, MallPrice & { itemId: string }>> {
  const rows = await em.getConnection().execute<{ sku_id: string; item_id: string; kind: MallPrice['kind']; points: number; cash_fen: number; sellable: boolean; stock_units: number | null }[]>(
    `select ci.sku_id, ci.id item_id, ci.kind, mi.points, mi.cash_fen, mi.sellable, mi.stock_units
     from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? and mi.selected
     where ci.sku_id in (select jsonb_array_elements_text(?::jsonb))`,
    [mallId, JSON.stringify(skuIds)],
  );
  return new Map(rows.map((r) => [r.sku_id, { skuId: r.sku_id, itemId: String(r.item_id), kind: r.kind, points: r.points, cashFen: r.cash_fen, sellable: r.sellable, stockUnits: r.stock_units }]));
}

const MOBILE = /^(\+?86)?1[3-9]\d{9}$/;

/** Fields that depend on what the lines are: a recipient for goods, a recharge account for virtual goods. */
function checkFields(req: OrderRequest, prices: Map<string, MallPrice>): void {
  const issues: FieldIssue[] = [];
  const kinds = req.lines.map((l) => prices.get(l.skuId)?.kind);
  if (kinds.includes('physical') && !req.recipient) issues.push({ path: 'body.recipient', message: 'required when a line is a physical item', code: 'required' });
  if (req.recipient && !MOBILE.test(req.recipient.phone.replace(/[\s-]/g, ''))) issues.push({ path: 'body.recipient.phone', message: 'not a mainland mobile number', code: 'invalid_phone' });
  req.lines.forEach((l, i) => {
    if (kinds[i] === 'virtual' && !l.rechargeAccount) issues.push({ path: `body.lines.${i}.rechargeAccount`, message: 'required for a virtual item', code: 'required' });
  });
  if (issues.length) throw validationFailed(issues);
}

async function insertOrder(
  deps: IntakeDeps,
  mallId: string,
  key: string,
  hash: string,
  req: OrderRequest,
  prices: Map<string, MallPrice & { itemId: string }>,
): Promise<{ orderId: string; jobs: (OutboxJob & { rowId: string })[] }> {
  const { em, clock, crypto } = deps;
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const now = clock.now();
  const orderId = newId('ord');
  const jobs: (OutboxJob & { rowId: string })[] = [];
  const phone = req.recipient?.phone.replace(/\D/g, '');
  const tail = phone ? crypto.keyedHash(phone.slice(-4)) : null;
  await conn.execute(
    `insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, member_tier, recipient, phone_tail_hash, phone_hash_key_id, status, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?)`,
    [orderId, mallId, req.mallOrderId, key, hash, req.member.id, req.member.tier ?? null, req.recipient ? JSON.stringify(crypto.seal(JSON.stringify(req.recipient))) : null,
      tail?.hash ?? null, tail?.keyId ?? null, now, now],
    'run',
    ctx,
  );
  for (const l of req.lines) {
    const p = prices.get(l.skuId) as MallPrice & { itemId: string };
    const lineId = newId('lin');
    await conn.execute(
      `insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, recharge_account, status, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      [lineId, orderId, mallId, l.lineId, p.itemId, l.skuId, p.kind, l.quantity, l.pointsPaid, l.cashPaidFen, p.points, p.cashFen,
        l.rechargeAccount ? JSON.stringify(crypto.seal(l.rechargeAccount)) : null, now, now],
      'run',
      ctx,
    );
    // What the mall settles for the line, in the ledger from the first moment.
    await conn.execute(
      "insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, at) values (?, ?, ?, 'settlement', ?, ?, ?, ?)",
      [mallId, orderId, lineId, l.quantity, l.pointsPaid, l.cashPaidFen, now],
      'run',
      ctx,
    );
    const runId = newId('wfr');
    const workflow = WORKFLOW_OF[p.kind];
    await conn.execute(
      "insert into workflow_run (id, workflow, subject_id, status, step, next_run_at, created_at, updated_at) values (?, ?, ?, 'pending', 'start', ?, ?, ?)",
      [runId, workflow, lineId, now, now, now],
      'run',
      ctx,
    );
    const job = { queue: WORKFLOW_QUEUE, jobId: `${runId}-0`, payload: { runId } };
    jobs.push({ ...job, rowId: await addOutboxJob(em, job) });
  }
  await appendMallEvent(em, clock, {
    mallId, orderId, type: 'order.accepted',
    data: { orderId, mallOrderId: req.mallOrderId, lines: req.lines.map((l) => ({ lineId: l.lineId, skuId: l.skuId, quantity: l.quantity })) },
  });
  return { orderId, jobs };
}
