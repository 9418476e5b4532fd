import { PROVINCES } from '../../src/domain/provinces.ts';

// Malls send province names in several forms (北京 / 北京市, 广西 / 广西壮族自治区); suppliers address
// stock by GB/T 2260 province code (TOP, brands) or map from it (JD). Longest suffixes first so 自治区 is not cut as 区.
const SUFFIXES = ['维吾尔自治区', '壮族自治区', '回族自治区', '特别行政区', '自治区', '省', '市'];

const byShort = new Map(PROVINCES.map((p) => [p.short, p.code]));
const byCode = new Map(PROVINCES.map((p) => [p.code, p]));

/** Strips whitespace and one administrative suffix: 广西壮族自治区 → 广西, 北京市 → 北京. */
function shortName(name: string): string {
  const text = name.replace(/\s+/g, '');
  for (const suffix of SUFFIXES) {
    if (text.length > suffix.length && text.endsWith(suffix)) return text.slice(0, -suffix.length);
  }
  return text;
}

/** The GB/T 2260 code of a mainland province named as malls send it (or given as its code); undefined when unknown. */
export function provinceCodeOf(nameOrCode: string): string | undefined {
  const text = nameOrCode.trim();
  if (byCode.has(text)) return text;
  return byShort.get(shortName(text));
}

/** The full name of a province code (110000 → 北京市), for addresses sent to suppliers. */
export function provinceNameOf(code: string): string | undefined {
  return byCode.get(code)?.name;
}
