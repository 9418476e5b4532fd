/** TOP and JD send money as yuan strings ("121.37"); the hub counts integer fen. Converted as text, never via floats. */

const YUAN = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** Parses a yuan amount ("121.37", "5", "0.5", or a number TOP sent bare) into integer fen; undefined when it is not one. */
export function yuanToFen(value: string | number): number | undefined {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = YUAN.exec(text);
  if (!m) return undefined;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** Formats integer fen as TOP's yuan string with two decimals (12137 → "121.37"). */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fenToYuan: ${fen} is not an integer amount of fen`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
