import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVINCES } from '../../../fixtures/catalog/index.ts';
import { provinceCodeOf } from '../../../connectors/shared/region.ts';
import { fenToYuan, yuanToFen } from '../../../connectors/shared/yuan.ts';

describe('TOP money in yuan', () => {
  it('reads yuan strings as integer fen without floating point', () => {
    expect(yuanToFen('121.37')).toBe(12_137);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('5')).toBe(500);
    expect(yuanToFen(19.9)).toBe(1_990);
    expect(yuanToFen('1.005')).toBeUndefined();
    expect(yuanToFen('abc')).toBeUndefined();
  });

  it('round-trips every amount of fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(yuanToFen(fenToYuan(fen))).toBe(fen);
      }),
    );
  });
});

describe('province names to TOP area codes', () => {
  it('maps every province by full name, short name or code, with spaces around', () => {
    for (const p of PROVINCES) {
      expect(provinceCodeOf(p.name)).toBe(p.code);
      expect(provinceCodeOf(p.short)).toBe(p.code);
      expect(provinceCodeOf(` ${p.code} `)).toBe(p.code);
    }
  });

  it.each([
    ['北京', '110000'],
    ['北京市', '110000'],
    ['广西', '450000'],
    ['广西自治区', '450000'],
    ['内蒙古自治区', '150000'],
    ['新疆维吾尔自治区', '650000'],
    ['黑龙江省', '230000'],
  ])('maps %s to %s', (name, code) => expect(provinceCodeOf(name)).toBe(code));

  it.each(['香港特别行政区', '澳门', '台湾省', '朝阳区', '', '市'])('knows no mainland province called %j', (name) => {
    expect(provinceCodeOf(name)).toBeUndefined();
  });
});
