import type { Carrier } from '../connector.ts';

const CODES: ReadonlySet<string> = new Set(['SF', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'EMS']);

// Suppliers print the carrier's code, or its English or Chinese trading name (SF Express, 顺丰速运,
// JD Logistics, 中通快递, China Post EMS); a distinctive fragment is matched because the suffix varies.
// Bare 'STO' is only taken as an exact code: as a fragment it would match inside other words.
const FRAGMENTS: ReadonlyArray<readonly [string, Carrier]> = [
  ['顺丰', 'SF'],
  ['SF EXPRESS', 'SF'],
  ['SHUNFENG', 'SF'],
  ['京东', 'JD'],
  ['JD LOGISTICS', 'JD'],
  ['JINGDONG', 'JD'],
  ['中通', 'ZTO'],
  ['ZTO', 'ZTO'],
  ['圆通', 'YTO'],
  ['YTO', 'YTO'],
  ['申通', 'STO'],
  ['STO EXPRESS', 'STO'],
  ['韵达', 'YUNDA'],
  ['YUNDA', 'YUNDA'],
  ['邮政', 'EMS'],
  ['EMS', 'EMS'],
  ['CHINA POST', 'EMS'],
];

/** Normalizes a carrier code or name (SF, SF Express, 中通快递, yunda) to the hub's carrier; OTHER when unknown. */
export function normalizeCarrier(codeOrName: string | null | undefined): Carrier {
  const upper = (codeOrName ?? '').trim().toUpperCase();
  if (CODES.has(upper)) return upper as Carrier;
  for (const [fragment, carrier] of FRAGMENTS) if (upper.includes(fragment)) return carrier;
  return 'OTHER';
}
