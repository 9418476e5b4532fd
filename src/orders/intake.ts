import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { provinceCodeOf } from '../../connectors/shared/region.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, type FieldIssue, validationFailed } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { checkIntake, checkRechargeAccount, type IntakeLine, mainlandMobile, type MallPrice } from '../domain/order-intake.ts';
import type { OutboxJob } from '../queues/job-outbox.ts';
import type { IntakeStore } from './intake-store.ts';
import type { ExistingOrder, NewOrderRows } from './order-insert.ts';
import { byLineId, orderView, type OrderView } from './order-store.ts';
import type { CryptoBox } from '../security/crypto-box.ts';
import { firstWakeRow } from '../queues/enqueue.ts';

/** POST /v1/orders as validated by the route. */
export interface OrderRequest {
  mallOrderId: string;
  member: { id: string; tier?: string | undefined };
  recipient?: { name: string; phone: string; province: string; city: string; district: string; address: string } | undefined;
  lines: IntakeLine[];
}

export interface IntakeDeps {
  em: EntityManager;
  store: IntakeStore;
  clock: Clock;
  crypto: CryptoBox;
}

/** The workflow each kind of line runs. */
const WORKFLOW_OF = { physical: 'fulfil-line', service: 'fulfil-line', virtual: 'issue-line' } as const;

/** Same JSON for the same request whatever the key order: what the idempotency hash is taken of. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

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
  // The usual request is new: check it and insert it, and look for an earlier order under its key
  // or mall order id only when it is refused or its insert is skipped. A repeat of an accepted
  // request is answered with that order even if its price changed since.
  const repeatOr = async (err: unknown): Promise<never | { created: false; order: OrderView; jobs: [] }> => {
    const order = await replayed(deps.em, await deps.store.existing(mallId, idempotencyKey, req.mallOrderId), idempotencyKey, requestHash, req.mallOrderId);
    if (order) return { created: false, order, jobs: [] };
    throw err;
  };
  const priceRows = await deps.store.prices({ mallId, skuIds: [...new Set(req.lines.map((l) => l.skuId))] });
  const prices = new Map(priceRows.map((r) => [r.sku_id, {
    skuId: r.sku_id, itemId: r.item_id, kind: r.kind, points: r.points, cashFen: r.cash_fen, sellable: r.sellable, stockUnits: r.stock_units, virtualType: r.virtual_type, platform: r.platform,
  }]));
  let accounts: (string | null)[];
  try {
    accounts = checkOrder(req, prices);
  } catch (err) {
    return repeatOr(err);
  }
  const rows = newOrderRows(deps, mallId, idempotencyKey, requestHash, req, prices, accounts);
  const rowIds = await deps.store.insert(rows);
  if (!rowIds) return repeatOr(new Error(`order ${req.mallOrderId} was skipped as taken, but no order holds its key or mall order id`));
  const jobs = rows.lines.map((l, i) => ({ ...l.job, rowId: rowIds[i] as string }));
  return { created: true, order: freshView(rows), jobs };
}

/**
 * The contract's checks of a new order against the mall's catalog, in the contract's order.
 * Returns each line's recharge account as it is to be stored (normalised), or null.
 */
function checkOrder(req: OrderRequest, prices: Map<string, MallPrice>): (string | null)[] {
  const unknown = checkIntake(req.lines, prices);
  if (!unknown.ok && unknown.code === 'unknown_sku') throw business(unknown.code, 'no such item in this mall\'s catalog', unknown.lines);
  const accounts = checkFields(req, prices);
  const verdict = checkIntake(req.lines, prices);
  if (!verdict.ok) throw business(verdict.code, verdict.code === 'price_changed' ? 'paid less than the current price' : 'not in stock at any source', verdict.lines);
  if (req.recipient && !provinceCodeOf(req.recipient.province)) {
    throw new AppError('address_unserviceable', 'no source delivers to this province', { details: { province: req.recipient.province } });
  }
  return accounts;
}

/** A repeated request's order (same key and body), or the conflict it is; null for a new order. */
async function replayed(em: EntityManager, existing: ExistingOrder[], key: string, hash: string, mallOrderId: string): Promise<OrderView | null> {
  const byKey = existing.find((o) => o.idempotency_key === key);
  if (byKey) {
    if (byKey.request_hash !== hash) throw new AppError('idempotency_conflict', 'this Idempotency-Key was used with another request body');
    return orderView(em, byKey);
  }
  if (existing.some((o) => o.mall_order_id === mallOrderId)) throw new AppError('duplicate_mall_order', `mallOrderId ${mallOrderId} was already used by this mall under another key`);
  return null;
}

const business = (code: 'unknown_sku' | 'price_changed' | 'out_of_stock', message: string, lines: unknown[]) => new AppError(code, message, { details: { lines } });

/**
 * Fields that depend on what the lines are: a recipient for goods, a recharge account in the form
 * its item takes (src/domain/order-intake.ts, checkRechargeAccount), and none where the item takes
 * none. Every issue is named; returns each line's account to store.
 */
function checkFields(req: OrderRequest, prices: Map<string, MallPrice>): (string | null)[] {
  const issues: FieldIssue[] = [];
  const kinds = req.lines.map((l) => prices.get(l.skuId)?.kind);
  if (kinds.includes('physical') && !req.recipient) issues.push({ path: 'body.recipient', message: 'required when a line is a physical item', code: 'required' });
  if (req.recipient && !mainlandMobile(req.recipient.phone)) issues.push({ path: 'body.recipient.phone', message: 'not a mainland mobile number', code: 'invalid_phone' });
  const accounts = req.lines.map((l, i) => {
    const verdict = checkRechargeAccount(l.rechargeAccount, prices.get(l.skuId) as MallPrice);
    if (verdict.ok) return verdict.account;
    issues.push({ path: `body.lines.${i}.rechargeAccount`, message: verdict.message, code: verdict.code });
    return null;
  });
  if (issues.length) throw validationFailed(issues);
  return accounts;
}

function newOrderRows(
  deps: IntakeDeps,
  mallId: string,
  key: string,
  hash: string,
  req: OrderRequest,
  prices: Map<string, MallPrice & { itemId: string }>,
  accounts: readonly (string | null)[],
): NewOrderRows {
  const { clock, crypto } = deps;
  const now = clock.now();
  const orderId = newId('ord');
  const phone = req.recipient?.phone.replace(/\D/g, '');
  const tail = phone ? crypto.keyedHash(phone.slice(-4)) : null;
  return {
    order: {
      id: orderId, mallId, mallOrderId: req.mallOrderId, idempotencyKey: key, requestHash: hash, memberId: req.member.id, memberTier: req.member.tier ?? null,
      recipient: req.recipient ? crypto.seal(JSON.stringify(req.recipient)) : null, phoneTailHash: tail?.hash ?? null, phoneHashKeyId: tail?.keyId ?? null, at: now,
    },
    lines: req.lines.map((l, i) => {
      const p = prices.get(l.skuId) as MallPrice & { itemId: string };
      const account = accounts[i] ?? null;
      const runId = newId('wfr');
      return {
        id: newId('lin'), lineId: l.lineId, itemId: p.itemId, skuId: l.skuId, kind: p.kind, quantity: l.quantity, pointsPaid: l.pointsPaid, cashPaidFen: l.cashPaidFen,
        unitPoints: p.points, unitCashFen: p.cashFen, rechargeAccount: account ? crypto.seal(account) : null,
        run: { id: runId, workflow: WORKFLOW_OF[p.kind] },
        job: firstWakeRow(runId),
      };
    }),
    event: {
      id: newId('evt'), type: 'order.accepted',
      data: { orderId, mallOrderId: req.mallOrderId, lines: req.lines.map((l) => ({ lineId: l.lineId, skuId: l.skuId, quantity: l.quantity })) },
    },
  };
}

/** The view of an order just written, built from what was written (the same as GET returns). */
function freshView(rows: NewOrderRows): OrderView {
  const at = rows.order.at.toISOString();
  return {
    orderId: rows.order.id, mallOrderId: rows.order.mallOrderId, status: 'accepted',
    member: { id: rows.order.memberId, tier: rows.order.memberTier }, createdAt: at, updatedAt: at,
    lines: [...rows.lines].sort(byLineId).map((l) => ({
      lineId: l.lineId, skuId: l.skuId, kind: l.kind, quantity: l.quantity, status: 'pending',
      quantityFulfilled: 0, quantityFailed: 0, quantityCancelled: 0, pointsPaid: l.pointsPaid, cashPaidFen: l.cashPaidFen, source: null, failureReason: null,
      shipments: [], issuance: l.kind === 'physical' ? null : { status: 'pending', vouchers: [] }, refunds: [],
    })),
  };
}
