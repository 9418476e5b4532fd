import { createHash } from 'node:crypto';
import { toSignableParams } from '../../shared/sorted-params.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { encryptTopupCard, signTopup } from '../../topup/sign.ts';
import type { WireCard } from '../../topup/wire.ts';
import type { Callback } from '../common/callbacks.ts';
import type { SandboxTopupOrder } from './state.ts';

/** Phone credit and data go to a mainland mobile number. */
const MOBILE = /^1[3-9]\d{9}$/;
/** Memberships go to a mobile number, an e-mail or a QQ number. */
const MEMBER_ACCOUNT = /^(?:1[3-9]\d{9}|[^@\s]+@[^@\s]+\.[^@\s]+|[1-9]\d{4,10})$/;
const CARD_VALID_MS = 365 * 24 * 3600_000;

/** A number in [0, 1) fixed by the seed and the text, so the same order always gets the same dice. */
function unitOf(seed: number, text: string): number {
  return createHash('sha256').update(`${seed}:${text}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * How a recharge ends, decided when its result is due: a charge account of the wrong form fails
 * (as the operator or platform would refuse it), then a seeded share `failRate` of the rest fails
 * as a channel failure; everything else succeeds. Vouchers have no account, only the seeded share.
 */
export function outcomeOf(order: SandboxTopupOrder, seed: number, failRate: number): { ok: true } | { ok: false; reason: string } {
  const { type } = order.product;
  if ((type === 'phone_topup' || type === 'data') && !MOBILE.test(order.chargeAccount)) return { ok: false, reason: '充值号码格式错误' };
  if (type === 'video_membership' && !MEMBER_ACCOUNT.test(order.chargeAccount)) return { ok: false, reason: '会员账号不存在' };
  if (unitOf(seed, order.customerOrderNo) < failRate) return { ok: false, reason: '上游渠道充值失败' };
  return { ok: true };
}

/** The recharge result text of a successful order. */
export function successDescription(order: SandboxTopupOrder): string {
  return order.product.type === 'voucher' ? '卡密已发放' : '充值成功';
}

/** Voucher codes for a card order, deterministic per order, encrypted with the app secret as the platform sends them. */
export function issueCards(order: SandboxTopupOrder, appSecret: string, at: Date): WireCard[] {
  return Array.from({ length: order.buyNum }, (_, i) => {
    const digits = createHash('sha256').update(`${order.orderId}:${i}`).digest().toString('hex').replace(/[a-f]/g, '');
    const number = `${order.product.product_id.replace(/\D/g, '').slice(0, 4).padEnd(4, '8')}${digits.slice(0, 12).padEnd(12, '0')}`;
    const password = digits.slice(12, 20).padEnd(8, '0');
    return {
      card_number: encryptTopupCard(number, appSecret),
      card_password: encryptTopupCard(password, appSecret),
      expire_time: formatUtc8Timestamp(new Date(at.getTime() + CARD_VALID_MS)),
    };
  });
}

/** The signed result callback body, as the platform posts it (`timestamp` is the send time). */
export function callbackBody(
  order: Pick<SandboxTopupOrder, 'orderId' | 'customerOrderNo' | 'status' | 'description' | 'finishedAt'>,
  appSecret: string, now: Date): Record<string, string> {
  const fields: Record<string, string> = {
    order_id: order.orderId,
    customer_order_no: order.customerOrderNo,
    order_status: order.status,
    recharge_description: order.description,
    charge_finish_time: order.finishedAt ? formatUtc8Timestamp(order.finishedAt) : '',
    timestamp: formatUtc8Timestamp(now),
  };
  return { ...fields, sign: signTopup(toSignableParams(fields) ?? {}, appSecret) };
}

/**
 * The result callback to the hub (`{hubUrl}/webhooks/topup/{provider}`), re-signed on each attempt
 * with `now()` as its `timestamp` (the wall clock: the hub checks it for freshness); only the body
 * `success` stops the retries.
 */
export function resultCallback(url: string, order: SandboxTopupOrder, appSecret: string, now: () => Date): Callback {
  return {
    url,
    headers: {},
    body: () => JSON.stringify(callbackBody(order, appSecret, now())),
    accepted: (status, body) => status === 200 && body === 'success',
    about: { event: `recharge.${order.status}`, reference: order.customerOrderNo, orderId: order.orderId },
  };
}
