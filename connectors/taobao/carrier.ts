import type { Carrier } from '../connector.ts';

const CODES: ReadonlySet<string> = new Set(['SF', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'EMS']);

// TOP names carriers in Chinese (中通快递, 顺丰速运) and sometimes by company code; the names are
// checked by a distinctive fragment because the suffix varies (快递, 速运, 速递, 物流).
const NAME_FRAGMENTS: ReadonlyArray<readonly [string, Carrier]> = [
  ['顺丰', 'SF'],
  ['京东', 'JD'],
  ['中通', 'ZTO'],
  ['圆通', 'YTO'],
  ['申通', 'STO'],
  ['韵达', 'YUNDA'],
  ['邮政', 'EMS'],
  ['EMS', 'EMS'],
];

/** Normalizes a TOP carrier code or name (ZTO, 中通快递, yunda) to the hub's carrier; OTHER when unknown. */
export function normalizeCarrier(codeOrName: string | null | undefined): Carrier {
  const text = (codeOrName ?? '').trim();
  const upper = text.toUpperCase();
  if (CODES.has(upper)) return upper as Carrier;
  for (const [fragment, carrier] of NAME_FRAGMENTS) if (upper.includes(fragment)) return carrier;
  return 'OTHER';
}
