import { PROVINCES } from '../../../fixtures/catalog/index.ts';

/**
 * The sandbox's JD area tree: province → city → county → town with JD-style numeric ids. Provinces
 * come from the GB/T 2260 list; below them a compact set of real cities and districts (capitals and
 * the big cities). Municipalities repeat the province name at the city level, as JD does. Only some
 * counties have a fourth level (as at JD, where town 0 means "no town given").
 */
const CITIES: Record<string, Record<string, string[]>> = {
  北京: { 北京市: ['朝阳区', '海淀区', '东城区', '西城区', '丰台区'] },
  上海: { 上海市: ['浦东新区', '黄浦区', '徐汇区', '静安区'] },
  天津: { 天津市: ['和平区', '南开区', '滨海新区'] },
  重庆: { 重庆市: ['渝中区', '江北区', '九龙坡区'] },
  广东: { 广州市: ['天河区', '越秀区', '海珠区'], 深圳市: ['南山区', '福田区', '宝安区'], 东莞市: ['南城街道'] },
  浙江: { 杭州市: ['西湖区', '上城区', '滨江区'], 宁波市: ['鄞州区', '海曙区'] },
  江苏: { 南京市: ['玄武区', '鼓楼区'], 苏州市: ['姑苏区', '工业园区'] },
  四川: { 成都市: ['武侯区', '锦江区', '高新区'] },
  湖北: { 武汉市: ['武昌区', '江汉区', '洪山区'] },
  湖南: { 长沙市: ['岳麓区', '芙蓉区'] },
  山东: { 济南市: ['历下区', '市中区'], 青岛市: ['市南区', '崂山区'] },
  河南: { 郑州市: ['金水区', '中原区'] },
  河北: { 石家庄市: ['长安区', '桥西区'] },
  山西: { 太原市: ['小店区', '迎泽区'] },
  内蒙古: { 呼和浩特市: ['新城区', '赛罕区'] },
  辽宁: { 沈阳市: ['和平区', '沈河区'], 大连市: ['中山区', '甘井子区'] },
  吉林: { 长春市: ['朝阳区', '南关区'] },
  黑龙江: { 哈尔滨市: ['道里区', '南岗区'] },
  安徽: { 合肥市: ['蜀山区', '包河区'] },
  福建: { 福州市: ['鼓楼区', '台江区'], 厦门市: ['思明区', '湖里区'] },
  江西: { 南昌市: ['东湖区', '红谷滩区'] },
  广西: { 南宁市: ['青秀区', '兴宁区'] },
  海南: { 海口市: ['龙华区', '美兰区'], 三亚市: ['吉阳区'] },
  贵州: { 贵阳市: ['南明区', '云岩区'] },
  云南: { 昆明市: ['五华区', '盘龙区'] },
  西藏: { 拉萨市: ['城关区'] },
  陕西: { 西安市: ['雁塔区', '碑林区'] },
  甘肃: { 兰州市: ['城关区', '七里河区'] },
  青海: { 西宁市: ['城中区', '城西区'] },
  宁夏: { 银川市: ['兴庆区', '金凤区'] },
  新疆: { 乌鲁木齐市: ['天山区', '沙依巴克区'] },
};

// Real streets/towns of a few districts, keyed by city + district (长春 also has a 朝阳区).
const TOWNS: Record<string, string[]> = {
  北京市朝阳区: ['建外街道', '三里屯街道', '望京街道'],
  北京市海淀区: ['中关村街道', '学院路街道'],
  上海市浦东新区: ['陆家嘴街道', '张江镇'],
  深圳市南山区: ['粤海街道', '蛇口街道'],
  广州市天河区: ['石牌街道', '五山街道'],
  杭州市西湖区: ['北山街道', '转塘街道'],
};

/** One node of the area tree. */
export interface AreaNode {
  id: number;
  name: string;
  parentId: number;
  /** GB/T 2260 code of the province the node is in (stock is kept per province). */
  provinceCode: string;
}

function build(): Map<number, AreaNode> {
  const nodes = new Map<number, AreaNode>();
  PROVINCES.forEach((p, i) => {
    const provinceId = i + 1;
    nodes.set(provinceId, { id: provinceId, name: p.name, parentId: 0, provinceCode: p.code });
    Object.entries(CITIES[p.short] ?? {}).forEach(([city, counties], c) => {
      const cityId = provinceId * 100 + c + 1;
      nodes.set(cityId, { id: cityId, name: city, parentId: provinceId, provinceCode: p.code });
      counties.forEach((county, k) => {
        const countyId = cityId * 100 + k + 1;
        nodes.set(countyId, { id: countyId, name: county, parentId: cityId, provinceCode: p.code });
        (TOWNS[city + county] ?? []).forEach((town, t) => {
          const townId = countyId * 100 + t + 1;
          nodes.set(townId, { id: townId, name: town, parentId: countyId, provinceCode: p.code });
        });
      });
    });
  });
  return nodes;
}

/** Every node of the sandbox tree by JD area id. */
export const AREAS = build();

/** Children of an area (0 = the provinces) as JD answers them: `{name: id}`. */
export function childrenOf(parentId: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of AREAS.values()) if (n.parentId === parentId) out[n.name] = n.id;
  return out;
}

/**
 * Checks a four-level address (town 0 = none) and returns its county: the county must sit under the
 * city under the province, and a non-zero town under the county.
 */
export function areaOf(province: number, city: number, county: number, town = 0): AreaNode | undefined {
  const p = AREAS.get(province);
  const c = AREAS.get(city);
  const co = AREAS.get(county);
  if (!p || !c || !co || p.parentId !== 0 || c.parentId !== p.id || co.parentId !== c.id) return undefined;
  if (town !== 0 && AREAS.get(town)?.parentId !== co.id) return undefined;
  return co;
}

/** Parses `province_city_county[_town]` ids (biz.stock.fororder.batget's `area`). */
export function parseArea(area: string): AreaNode | undefined {
  const [p = -1, c = -1, co = -1, t = 0] = area.split('_').map(Number);
  return areaOf(p, c, co, t);
}
