import { describe, expect, it } from 'vitest';
import type { SupplierSku } from '../../src/domain/supplier-shapes.ts';
import { listingHash } from '../../src/domain/listing-hash.ts';

const listing: SupplierSku = {
  supplierSkuId: '100012043978', title: '海尔（Haier）双开门冰箱 BCD-162KNEW', brand: '海尔', model: 'BCD-162KNEW', gtin: '6901018012345', kind: 'physical',
  categoryPath: ['家用电器', '大家电', '冰箱'], supplierCategoryId: '737', images: ['https://img.example/1.jpg'], attributes: { 品牌: '海尔' },
  marketPriceFen: 122_900, costFen: 108_000, onShelf: true, stock: 12, virtual: null, updatedAt: '2026-12-01T00:00:00Z',
};
const KEY = 'gtin:06901018012345';

describe('listing digests', () => {
  it('are the same for the same listing, and a safe integer under 2^52', () => {
    const h = listingHash(listing, KEY, 'fridge');
    expect(listingHash({ ...listing }, KEY, 'fridge')).toBe(h);
    expect(Number.isSafeInteger(h) && h >= 0 && h < 2 ** 52).toBe(true);
  });

  it('change with every field a re-sync compares, and with the item and category it maps to', () => {
    const h = listingHash(listing, KEY, 'fridge');
    const changes: Partial<SupplierSku>[] = [
      { title: '海尔冰箱' }, { costFen: 108_001 }, { marketPriceFen: null }, { stock: 11 }, { stock: null }, { onShelf: false },
      { supplierCategoryId: null }, { categoryPath: ['家用电器', '冰箱'] },
    ];
    for (const c of changes) expect(listingHash({ ...listing, ...c }, KEY, 'fridge'), JSON.stringify(c)).not.toBe(h);
    expect(listingHash(listing, 'gtin:06901018099999', 'fridge')).not.toBe(h);
    expect(listingHash(listing, KEY, null)).not.toBe(h);
  });

  it('ignore what an offer does not store (images, attributes, the supplier’s update time)', () => {
    const h = listingHash(listing, KEY, 'fridge');
    expect(listingHash({ ...listing, images: [], attributes: {}, updatedAt: null }, KEY, 'fridge')).toBe(h);
  });
});
