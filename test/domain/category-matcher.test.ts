import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalLeaves, GOODS_SUPPLIERS, supplierCategories, TOPUP_PROVIDERS, topupProducts } from '../../fixtures/catalog/index.ts';
import { matchCategory } from '../../src/domain/category-matcher.ts';
import { categoryTree, lineageOf, TAXONOMY } from '../../src/domain/taxonomy.ts';

const kindOf = (supplier: string) => (supplier === 'jd' || supplier === 'taobao' ? supplier : 'brand') as 'jd' | 'taobao' | 'brand';

describe('canonical taxonomy', () => {
  it('has every leaf the suppliers carry, under the same three-level path', () => {
    for (const leaf of canonicalLeaves()) expect(lineageOf(leaf.id).map((n) => n.name)).toEqual([...leaf.path]);
  });

  it('is a tree of three levels with unique ids', () => {
    expect(new Set(TAXONOMY.map((n) => n.id)).size).toBe(TAXONOMY.length);
    for (const n of TAXONOMY) expect(lineageOf(n.id).length).toBe(n.level);
    const leaves = categoryTree().flatMap((a) => a.children.flatMap((b) => b.children));
    expect(leaves.length).toBe(TAXONOMY.filter((n) => n.level === 3).length);
  });
});

describe('matchCategory', () => {
  for (const supplier of GOODS_SUPPLIERS) {
    it(`maps every ${supplier} category onto its canonical leaf`, () => {
      const wrong = supplierCategories(supplier).filter((c) => {
        const kind = c.canonicalLeafId && lineageOf(c.canonicalLeafId)[2]?.kind === 'service' ? 'service' : 'physical';
        return matchCategory({ supplierKind: kindOf(supplier), kind, categoryPath: c.path, supplierCategoryId: c.categoryId })?.leafId !== c.canonicalLeafId;
      });
      expect(wrong).toEqual([]);
    });
  }

  it('maps every top-up product onto the virtual leaf of its type', () => {
    const leafOf = { phone_topup: 'phone-topup', data: 'data-topup', video_membership: 'video-membership', voucher: 'voucher' };
    for (const provider of TOPUP_PROVIDERS) {
      for (const p of topupProducts(provider, { seed: 1 })) {
        expect(matchCategory({ supplierKind: 'topup', kind: 'virtual', categoryPath: ['充值', p.platform], supplierCategoryId: p.type })?.leafId).toBe(leafOf[p.type]);
      }
    }
  });

  it('leaves a category it does not know unmapped', () => {
    expect(matchCategory({ supplierKind: 'jd', kind: 'physical', categoryPath: ['宠物用品', '猫粮', '冻干'], supplierCategoryId: '1;2;3' })).toBeNull();
    expect(matchCategory({ supplierKind: 'brand', kind: 'physical', categoryPath: [], supplierCategoryId: null })).toBeNull();
  });

  it('reads names regardless of width, case and surrounding spaces', () => {
    const names = supplierCategories('brand-acme').map((c) => c.path);
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.constantFrom('', ' ', '　', '\t'), fc.boolean(), (path, pad, upper) => {
        const base = matchCategory({ supplierKind: 'brand', kind: 'physical', categoryPath: path, supplierCategoryId: null });
        const leaf = path.at(-1) ?? '';
        const variant = `${pad}${upper ? leaf.toUpperCase() : toFullWidth(leaf)}${pad}`;
        expect(matchCategory({ supplierKind: 'brand', kind: 'physical', categoryPath: [...path.slice(0, -1), variant], supplierCategoryId: null })?.leafId).toBe(base?.leafId);
      }),
    );
  });
});

/** ASCII letters and digits as their full-width forms (Ａ for A), as some supplier back-ends send them. */
function toFullWidth(s: string): string {
  return s.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
}
