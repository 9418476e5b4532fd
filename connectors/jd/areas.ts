import type { Region } from '../connector.ts';
import { JD_METHODS as M } from './methods.ts';

type Children = Record<string, number>;

// 北京 / 北京市, 朝阳 / 朝阳区, 广西 / 广西壮族自治区: compare names without one administrative suffix.
const SUFFIXES = ['维吾尔自治区', '壮族自治区', '回族自治区', '特别行政区', '自治区', '自治州', '新区', '地区', '省', '市', '区', '县'];
const bare = (name: string): string => {
  const t = name.replace(/\s+/g, '');
  for (const s of SUFFIXES) if (t.length > s.length && t.endsWith(s)) return t.slice(0, -s.length);
  return t;
};

function pick(children: Children, name: string): number | undefined {
  if (children[name] !== undefined) return children[name];
  const want = bare(name);
  for (const [n, id] of Object.entries(children)) if (bare(n) === want) return id;
  return undefined;
}

/**
 * Maps address names to JD's area ids through the area-tree methods, caching each level, so a
 * mall's 北京 / 北京市 / 朝阳区 becomes "1_101_10101". Null when a level cannot be matched.
 */
export class JdAreaResolver {
  readonly #cache = new Map<string, Promise<Children>>();
  readonly #fetch: (method: string, params: Record<string, unknown>) => Promise<Children>;

  constructor(fetch: (method: string, params: Record<string, unknown>) => Promise<Children>) {
    this.#fetch = fetch;
  }

  async resolve(region: Region): Promise<string | null> {
    const province = pick(await this.#level(M.provinces, 0), region.province);
    if (province === undefined) return null;
    const cities = await this.#level(M.cities, province);
    // Municipalities: malls may send the district as the city (北京 / 朝阳区 / …).
    const city = pick(cities, region.city) ?? (Object.keys(cities).length === 1 ? Object.values(cities)[0] : undefined);
    if (city === undefined) return null;
    const county = pick(await this.#level(M.counties, city), region.district);
    return county === undefined ? null : `${province}_${city}_${county}`;
  }

  #level(method: string, id: number): Promise<Children> {
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
