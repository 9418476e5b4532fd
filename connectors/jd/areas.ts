import type { Region } from '../connector.ts';
import { JD_METHODS as M } from './methods.ts';

/** One level of JD's area tree as the biz.address.* methods answer it: `{name: id}`. */
export type AreaChildren = Record<string, number>;

// 北京 / 北京市, 朝阳 / 朝阳区, 广西 / 广西壮族自治区, 密云县 / 密云区: compare names without one
// administrative suffix (longest first, so 自治区 is not cut as 区).
const SUFFIXES = ['维吾尔自治区', '壮族自治区', '回族自治区', '特别行政区', '自治区', '自治州', '新区', '地区', '街道', '省', '市', '区', '县', '镇', '乡'];
// Names malls still send after mergers and renames, and short forms the suffixes do not cover.
const ALIASES: Readonly<Record<string, string>> = { 内蒙: '内蒙古', 崇文: '东城', 宣武: '西城', 闸北: '静安', 卢湾: '黄浦' };

const bare = (name: string): string => {
  const t = name.replace(/\s+/g, '');
  for (const s of SUFFIXES) if (t.length > s.length && t.endsWith(s)) return ALIASES[t.slice(0, -s.length)] ?? t.slice(0, -s.length);
  return ALIASES[t] ?? t;
};

function pick(children: AreaChildren, name: string | undefined): number | undefined {
  if (!name?.trim()) return undefined;
  if (children[name] !== undefined) return children[name];
  const want = bare(name);
  for (const [n, id] of Object.entries(children)) if (bare(n) === want) return id;
  return undefined;
}

/**
 * Maps address names to JD's four-level area ids through the area-tree methods, caching each level
 * it has fetched, so a mall's 北京 / 北京市 / 朝阳区 becomes "1_101_10101" (and "…_1010101" with a
 * town). Null when the province, city or county cannot be matched: the address is unserviceable.
 */
export class JdAreaResolver {
  readonly #cache = new Map<string, Promise<AreaChildren>>();
  readonly #fetch: (method: string, params: Record<string, unknown>) => Promise<AreaChildren>;

  constructor(fetch: (method: string, params: Record<string, unknown>) => Promise<AreaChildren>) {
    this.#fetch = fetch;
  }

  async resolve(region: Region): Promise<string | null> {
    const provinces = await this.#level(M.provinces, 0);
    const province = pick(provinces, region.province);
    if (province === undefined) return null;
    const cities = await this.#level(M.cities, province);
    // Municipalities (北京市 > 北京市 > 朝阳区): malls send 北京 / 市辖区 / the district itself as the city.
    const provinceName = Object.keys(provinces).find((n) => provinces[n] === province) ?? '';
    const municipality = Object.entries(cities).length === 1 && bare(Object.keys(cities)[0] ?? '') === bare(provinceName) ? Object.values(cities)[0] : undefined;
    const city = pick(cities, region.city) ?? municipality;
    if (city === undefined) return null;
    const counties = await this.#level(M.counties, city);
    const county = pick(counties, region.district) ?? (municipality === city ? pick(counties, region.city) : undefined);
    if (county === undefined) return null;
    const area = `${province}_${city}_${county}`;
    if (!region.town) return area;
    // The town is a refinement: an unknown town still leaves a deliverable three-level address.
    const town = pick(await this.#level(M.towns, county), region.town);
    return town === undefined ? area : `${area}_${town}`;
  }

  #level(method: string, id: number): Promise<AreaChildren> {
    const key = `${method}:${id}`;
    let hit = this.#cache.get(key);
    if (!hit) {
      hit = this.#fetch(method, id === 0 ? {} : { id });
      // A failed lookup is not cached.
      hit.catch(() => this.#cache.delete(key));
      this.#cache.set(key, hit);
    }
    return hit;
  }
}
