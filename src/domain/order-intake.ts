/**
 * The business checks of POST /v1/orders against the synced catalog (routing checks live suppliers
 * after acceptance). Pure: the caller loads the mall's catalog rows; the first failing rule wins,
 * in the contract's order, and names every line it concerns.
 */

/** One order line as the mall sent it. */
export interface IntakeLine {
  lineId: string;
  skuId: string;
  quantity: number;
  pointsPaid: number;
  cashPaidFen: number;
  rechargeAccount?: string | undefined;
}

/** The mall's current catalog row of a SKU (absent: unknown to the hub or not in the mall's selection). */
export interface MallPrice {
  skuId: string;
  kind: 'physical' | 'virtual' | 'service';
  points: number;
  cashFen: number;
  /** Sellable to this mall: some source lists it, on shelf, in its selection. */
  sellable: boolean;
  /** Units in stock over the default listing region (null: the suppliers do not count). */
  stockUnits: number | null;
  /** What a virtual item is (`phone_topup`, `data`, `video_membership`, `voucher`); null or absent for goods and services. */
  virtualType?: string | null;
  /** The platform a virtual item is for, as its provider names it (`CMCC`, `腾讯视频`, `星巴克`). */
  platform?: string | null;
}

export type IntakeVerdict =
  | { ok: true }
  | { ok: false; code: 'unknown_sku' | 'price_changed' | 'out_of_stock'; lines: { lineId: string; skuId: string; points?: number; cashFen?: number }[] };

/** unknown_sku, then price_changed (paid below the mall's current price × quantity), then out_of_stock. */
export function checkIntake(lines: readonly IntakeLine[], prices: ReadonlyMap<string, MallPrice>): IntakeVerdict {
  const unknown = lines.filter((l) => !prices.has(l.skuId));
  if (unknown.length) return { ok: false, code: 'unknown_sku', lines: unknown.map((l) => ({ lineId: l.lineId, skuId: l.skuId })) };
  const underpaid = lines.filter((l) => {
    const p = prices.get(l.skuId) as MallPrice;
    return l.pointsPaid < p.points * l.quantity || l.cashPaidFen < p.cashFen * l.quantity;
  });
  if (underpaid.length) {
    return {
      ok: false,
      code: 'price_changed',
      lines: underpaid.map((l) => {
        const p = prices.get(l.skuId) as MallPrice;
        return { lineId: l.lineId, skuId: l.skuId, points: p.points * l.quantity, cashFen: p.cashFen * l.quantity };
      }),
    };
  }
  const unavailable = lines.filter((l) => {
    const p = prices.get(l.skuId) as MallPrice;
    return !p.sellable || (p.stockUnits !== null && p.stockUnits < 1);
  });
  if (unavailable.length) return { ok: false, code: 'out_of_stock', lines: unavailable.map((l) => ({ lineId: l.lineId, skuId: l.skuId })) };
  return { ok: true };
}

/**
 * A mainland mobile number in the 11 digits a recharge or a courier takes, or null: `1[3-9]` and
 * nine digits, with an optional `+86`/`86` prefix, spaces and dashes allowed around the digits.
 */
export function mainlandMobile(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** A QQ number: 5 to 11 digits, not starting with 0 (Tencent's memberships are recharged to one). */
const QQ = /^[1-9]\d{4,10}$/;
/** An e-mail address, loosely: what a platform that signs members in by e-mail takes. */
const EMAIL = /^[^\s@]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** A platform name as the rules look it up: full-width to half-width, lower case, no spaces. */
const platformKey = (name: string) => name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** The account forms a membership platform's direct recharge takes, by the platform's name. */
const MEMBERSHIP_FORMS: Readonly<Record<string, readonly ('mobile' | 'qq' | 'email')[]>> = {
  腾讯视频: ['mobile', 'qq'],
  QQ音乐: ['mobile', 'qq'],
  网易云音乐: ['mobile', 'email'],
  爱奇艺: ['mobile'],
  优酷: ['mobile'],
  芒果TV: ['mobile'],
  哔哩哔哩: ['mobile'],
  搜狐视频: ['mobile'],
  咪咕视频: ['mobile'],
  酷狗音乐: ['mobile'],
  喜马拉雅: ['mobile'],
  百度网盘: ['mobile'],
  WPS: ['mobile'],
};

const MEMBERSHIP_ACCOUNTS = new Map(Object.entries(MEMBERSHIP_FORMS).map(([name, forms]) => [platformKey(name), forms]));

const FORM_NAMES = { mobile: 'a mainland mobile number (11 digits, 1[3-9]…)', qq: 'a QQ number (5 to 11 digits)', email: 'an e-mail address' } as const;

/** What is wrong with a line's `rechargeAccount` for its item, or the account to store (normalised). */
export type AccountVerdict =
  | { ok: true; account: string | null }
  | { ok: false; code: 'required' | 'invalid_account' | 'not_applicable'; message: string };

/**
 * The recharge account rules (checked at intake, before anything is written):
 *
 *   phone top-up, data package (CMCC, CUCC, CTCC, CBN) ─▶ required: a mainland mobile number
 *   membership of a platform listed above ───────────────▶ required: one of the forms it takes
 *   membership of another platform ──────────────────────▶ required: any account (3 to 64 characters)
 *   voucher codes (virtual `voucher`), a service's
 *     e-voucher, goods ──────────────────────────────────▶ none may be given: the codes are issued
 *                                                           to the order, goods go to the recipient
 *
 * A mobile number is stored as its 11 digits (what the providers recharge); other forms as given.
 * The operator is not checked against the number: numbers move between operators.
 */
export function checkRechargeAccount(account: string | undefined, price: Pick<MallPrice, 'kind' | 'virtualType' | 'platform'>): AccountVerdict {
  const takesAccount = price.kind === 'virtual' && price.virtualType !== 'voucher';
  if (!takesAccount) {
    if (account === undefined) return { ok: true, account: null };
    const what = price.kind === 'physical' ? 'goods are delivered to the recipient' : 'its codes are issued to the order';
    return { ok: false, code: 'not_applicable', message: `this item takes no recharge account (${what}); leave rechargeAccount out` };
  }
  const platform = price.platform ?? '';
  const forms = price.virtualType === 'phone_topup' || price.virtualType === 'data' ? (['mobile'] as const) : MEMBERSHIP_ACCOUNTS.get(platformKey(platform));
  const what = price.virtualType === 'phone_topup' ? 'a phone top-up' : price.virtualType === 'data' ? 'a data package' : `a ${platform || 'platform'} membership`;
  if (account === undefined) return { ok: false, code: 'required', message: `required for ${what}: ${forms ? forms.map((f) => FORM_NAMES[f]).join(' or ') : 'the member\'s account on the platform'}` };
  if (!forms) return /^\S+$/.test(account) ? { ok: true, account } : { ok: false, code: 'invalid_account', message: `not an account of ${what}: no spaces` };
  for (const form of forms) {
    if (form === 'mobile') {
      const mobile = mainlandMobile(account);
      if (mobile) return { ok: true, account: mobile };
    } else if ((form === 'qq' ? QQ : EMAIL).test(account)) return { ok: true, account };
  }
  return { ok: false, code: 'invalid_account', message: `${what} is recharged to ${forms.map((f) => FORM_NAMES[f]).join(' or ')}` };
}
