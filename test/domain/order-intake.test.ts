import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIntake, checkRechargeAccount, mainlandMobile, type MallPrice } from '../../src/domain/order-intake.ts';

const price = (skuId: string, over: Partial<MallPrice> = {}): MallPrice => ({ skuId, kind: 'physical', points: 1_000, cashFen: 0, sellable: true, stockUnits: 5, ...over });
const line = (lineId: string, skuId: string, quantity = 1, pointsPaid = 1_000 * quantity, cashPaidFen = 0) => ({ lineId, skuId, quantity, pointsPaid, cashPaidFen });

describe('order intake rules', () => {
  it('accepts lines paid at least at the current price and in stock', () => {
    expect(checkIntake([line('1', 'a', 2)], new Map([['a', price('a')]]))).toEqual({ ok: true });
  });

  it('names unknown SKUs first, then underpaid lines with the price to pay, then lines out of stock', () => {
    const prices = new Map([['a', price('a', { cashFen: 500 })], ['b', price('b', { sellable: false })]]);
    expect(checkIntake([line('1', 'x'), line('2', 'a', 1, 0)], prices)).toMatchObject({ ok: false, code: 'unknown_sku', lines: [{ lineId: '1', skuId: 'x' }] });
    expect(checkIntake([line('1', 'a', 3, 3_000, 1_499), line('2', 'b')], prices)).toEqual({ ok: false, code: 'price_changed', lines: [{ lineId: '1', skuId: 'a', points: 3_000, cashFen: 1_500 }] });
    expect(checkIntake([line('1', 'a', 1, 1_000, 500), line('2', 'b')], prices)).toEqual({ ok: false, code: 'out_of_stock', lines: [{ lineId: '2', skuId: 'b' }] });
    expect(checkIntake([line('1', 'c')], new Map([['c', price('c', { stockUnits: 0 })]]))).toMatchObject({ code: 'out_of_stock' });
  });

  it('accepts exactly when every line pays at least points × quantity and cash × quantity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: -5_000, max: 5_000 }), fc.integer({ min: -500, max: 500 }), (pts, cash, qty, dp, dc) => {
        const paid = { points: Math.max(0, pts * qty + dp), cash: Math.max(0, cash * qty + dc) };
        const verdict = checkIntake([line('1', 'a', qty, paid.points, paid.cash)], new Map([['a', price('a', { points: pts, cashFen: cash })]]));
        expect(verdict.ok).toBe(paid.points >= pts * qty && paid.cash >= cash * qty);
      }),
    );
  });
});

describe('recharge accounts', () => {
  const virtual = (virtualType: string, platform: string) => ({ kind: 'virtual' as const, virtualType, platform });

  it('reads a mainland mobile number with a +86 prefix, spaces and dashes as its 11 digits, and nothing else', () => {
    fc.assert(
      fc.property(fc.constantFrom('3', '4', '5', '6', '7', '8', '9'), fc.stringMatching(/^\d{9}$/), fc.constantFrom('', '+86', '86', '+86 '), fc.boolean(), (second, rest, prefix, dashed) => {
        const digits = `1${second}${rest}`;
        const written = dashed ? `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}` : digits;
        expect(mainlandMobile(`${prefix}${written}`)).toBe(digits);
      }),
    );
    for (const bad of ['12345678901', '1380013800', '138001380001', '+1 13800138000', '1380013800a', '']) expect(mainlandMobile(bad)).toBeNull();
  });

  it('requires the form of each kind of recharge, refuses any account where nothing is recharged', () => {
    expect(checkRechargeAccount('+86 138-0013-8000', virtual('phone_topup', 'CMCC'))).toEqual({ ok: true, account: '13800138000' });
    expect(checkRechargeAccount('10000', virtual('data', 'CUCC'))).toMatchObject({ ok: false, code: 'invalid_account' });
    expect(checkRechargeAccount(undefined, virtual('phone_topup', 'CTCC'))).toMatchObject({ ok: false, code: 'required' });
    expect(checkRechargeAccount('10001', virtual('video_membership', 'QQ音乐'))).toEqual({ ok: true, account: '10001' });
    expect(checkRechargeAccount('10001', virtual('video_membership', '优酷'))).toMatchObject({ ok: false, code: 'invalid_account' });
    expect(checkRechargeAccount('a@163.com', virtual('video_membership', '网易云音乐'))).toEqual({ ok: true, account: 'a@163.com' });
    // A platform the hub has no rule for: any account without spaces.
    expect(checkRechargeAccount('user_name-1', virtual('video_membership', '新平台'))).toEqual({ ok: true, account: 'user_name-1' });
    expect(checkRechargeAccount('user name', virtual('video_membership', '新平台'))).toMatchObject({ ok: false, code: 'invalid_account' });
    expect(checkRechargeAccount(undefined, virtual('voucher', '星巴克'))).toEqual({ ok: true, account: null });
    for (const price of [virtual('voucher', '星巴克'), { kind: 'service' as const }, { kind: 'physical' as const }]) {
      expect(checkRechargeAccount('13800138000', price)).toMatchObject({ ok: false, code: 'not_applicable' });
    }
  });
});
