// Search probe, Groonga peer: writes /tmp/search-probe/groonga.grn (schema + load of the sellable
// items of /tmp/search-probe/items.tsv: title, normalised text, points, kind, category, in-stock),
// TokenBigram + NormalizerAuto, as the peer. groonga.sh builds the DB and starts the server.
import { readFileSync, writeFileSync } from 'node:fs';

const out: string[] = [
  'table_create Items TABLE_HASH_KEY UInt64',
  'column_create Items title COLUMN_SCALAR ShortText',
  'column_create Items search_text COLUMN_SCALAR ShortText',
  'column_create Items points COLUMN_SCALAR Int32',
  'column_create Items kind COLUMN_SCALAR ShortText',
  'column_create Items category COLUMN_SCALAR ShortText',
  'column_create Items in_stock COLUMN_SCALAR Bool',
  'table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer NormalizerAuto',
  'column_create Terms items_text COLUMN_INDEX|WITH_POSITION Items search_text',
  'table_create Points TABLE_PAT_KEY Int32',
  'column_create Points items_points COLUMN_INDEX Items points',
];
const unesc = (s: string) => s.replace(/\\(.)/g, (_, c) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c as string] ?? c);
const rows: unknown[] = [];
for (const line of readFileSync('/tmp/search-probe/items.tsv', 'utf8').split('\n')) {
  if (!line) continue;
  const [id, title, text, , points, kind, cat, units, sellable] = line.split('\t');
  if (sellable !== 'true') continue;
  rows.push({ _key: Number(id), title: unesc(title ?? ''), search_text: unesc(text ?? ''), points: Number(points), kind, category: cat === '\\N' ? '' : cat, in_stock: units === '\\N' || Number(units) > 0 });
}
out.push('load --table Items', JSON.stringify(rows));
writeFileSync('/tmp/search-probe/groonga.grn', `${out.join('\n')}\n`);
console.log(`groonga rows ${rows.length}`);
