/**
 * The catalog-query bench's peer engine: Groonga, loaded with exactly what the hub serves the
 * bench mall (each sellable mall_item with its catalog_item: ids, title, brand, kind, category
 * leaf, category path, images, attributes, points, cash, market price, stock, and the normalised
 * search text indexed with TokenBigram), served by `groonga -s --protocol http` from a temporary
 * directory, and reached through bench/groonga-peer-server.ts. Everything is removed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { withClient } from './bench-db.ts';
import { peakRssMiB, type ServerProcess, startServerProcess } from './server-process.ts';

/** The peer, up and loaded. */
export interface GroongaPeer extends ServerProcess {
  /** `groonga --version`'s number. */
  version: string;
  /** Items loaded (the mall's sellable items). */
  items: number;
  /** Reading them out of PostgreSQL into Groonga's load file, then `groonga -n` loading and indexing it. */
  exportSeconds: number;
  loadSeconds: number;
  dbMiB: number;
  groongaPeakRssMiB(): Promise<number>;
}

const SCHEMA = [
  'table_create Items TABLE_HASH_KEY UInt64',
  'column_create Items sku_id COLUMN_SCALAR ShortText',
  'column_create Items title COLUMN_SCALAR ShortText',
  'column_create Items brand COLUMN_SCALAR ShortText',
  'column_create Items kind COLUMN_SCALAR ShortText',
  'column_create Items category COLUMN_SCALAR ShortText',
  'column_create Items category_path COLUMN_VECTOR ShortText',
  'column_create Items images COLUMN_VECTOR ShortText',
  'column_create Items attributes COLUMN_SCALAR Text',
  'column_create Items points COLUMN_SCALAR Int32',
  'column_create Items cash_fen COLUMN_SCALAR Int32',
  // -1 stands for SQL null (no market price; stock not tracked, i.e. in stock).
  'column_create Items market_price_fen COLUMN_SCALAR Int32',
  'column_create Items stock_units COLUMN_SCALAR Int32',
  'column_create Items in_stock COLUMN_SCALAR Bool',
  'column_create Items search_text COLUMN_SCALAR Text',
];
// Indexes after the load: Groonga builds them statically from the loaded columns, much faster
// than row by row. No normaliser: search_text is already normalizeText's output, and so is the needle.
const INDEXES = [
  'table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram',
  'column_create Terms items_search_text COLUMN_INDEX|WITH_POSITION Items search_text',
  'table_create Points TABLE_PAT_KEY Int32',
  'column_create Points items_points COLUMN_INDEX Items points',
  'table_create Kinds TABLE_HASH_KEY ShortText',
  'column_create Kinds items_kind COLUMN_INDEX Items kind',
  'table_create Categories TABLE_HASH_KEY ShortText',
  'column_create Categories items_category COLUMN_INDEX Items category',
];

interface Row {
  item_id: string; sku_id: string; title: string; brand: string | null; kind: string; category_id: string | null; category_path: string[]; images: string[];
  attributes: string; market_price_fen: number | null; points: number; cash_fen: number; stock_units: number | null; search_text: string;
}

/** Groonga on PATH, installed from Debian's groonga-bin when running as root (as .ci/run installs chromium). */
export function ensureGroonga(): string {
  const version = () => /^Groonga (\S+)/.exec(spawnSync('groonga', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1];
  const found = version();
  if (found) return found;
  const how = 'apt-get install groonga-bin';
  if (process.getuid?.() !== 0) throw new Error(`catalog-query needs Groonga as its peer engine and \`groonga\` is not on PATH: install it with \`sudo ${how}\` (Debian/Ubuntu)`);
  process.stdout.write(`groonga is not on PATH: running \`apt-get update && ${how}\`…\n`);
  for (const args of [['update'], ['install', '-y', 'groonga-bin']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status}); install Groonga with \`${how}\``);
  }
  const installed = version();
  if (!installed) throw new Error(`\`${how}\` ran, yet \`groonga --version\` still fails`);
  return installed;
}

async function write(out: WriteStream, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/** Writes the schema, the mall's sellable items as one `load` and the indexes, as Groonga commands. */
async function writeLoadFile(file: string, mallId: string): Promise<number> {
  const out = createWriteStream(file);
  await write(out, `${SCHEMA.join('\n')}\nload --table Items\n[\n`);
  let n = 0;
  await withClient(async (c) => {
    let after = '0';
    for (;;) {
      const { rows } = await c.query<Row>(
        `select mi.item_id::text, ci.sku_id, ci.title, ci.brand, mi.kind, mi.category_id, ci.category_path, ci.images, ci.attributes::text as attributes,
                ci.market_price_fen, mi.points, mi.cash_fen, mi.stock_units, ci.search_text
         from mall_item mi join catalog_item ci on ci.id = mi.item_id
         where mi.mall_id = $1 and mi.sellable and mi.item_id > $2 order by mi.item_id limit 20000`,
        [mallId, after],
      );
      if (rows.length === 0) break;
      const lines = rows.map((r) =>
        JSON.stringify({
          _key: Number(r.item_id), sku_id: r.sku_id, title: r.title, brand: r.brand ?? '', kind: r.kind, category: r.category_id ?? '', category_path: r.category_path,
          images: r.images, attributes: r.attributes, points: r.points, cash_fen: r.cash_fen, market_price_fen: r.market_price_fen ?? -1,
          stock_units: r.stock_units ?? -1, in_stock: r.stock_units === null || r.stock_units > 0, search_text: r.search_text,
        }),
      );
      await write(out, `${n ? ',\n' : ''}${lines.join(',\n')}`);
      n += rows.length;
      after = rows.at(-1)?.item_id ?? after;
    }
  });
  await write(out, `\n]\n${INDEXES.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return n;
}

async function dirMiB(dir: string): Promise<number> {
  let bytes = 0;
  for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size;
  return Math.round(bytes / 2 ** 20);
}

/**
 * Loads the mall's catalog into a fresh Groonga database under /tmp, starts Groonga's HTTP server
 * on `groongaPort` and the Node hop on `port` (the peer's URL).
 */
export async function startGroongaPeer(mallId: string, port: number, groongaPort: number, log: (s: string) => void): Promise<GroongaPeer> {
  const version = ensureGroonga();
  const groongaUrl = `http://127.0.0.1:${groongaPort}`;
  if (await fetch(`${groongaUrl}/d/status`).then(() => true, () => false)) throw new Error(`groonga peer: ${groongaUrl} is taken by another process`);
  const dir = await mkdtemp('/tmp/bench-groonga-');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let child: ReturnType<typeof spawn> | undefined;
  const kill = () => child?.kill('SIGKILL');
  try {
    let t0 = performance.now();
    const items = await writeLoadFile(join(dir, 'load.grn'), mallId);
    const exportSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    log(`groonga peer: ${items.toLocaleString('en')} sellable items of the mall read out of PostgreSQL in ${exportSeconds} s; loading and indexing…`);
    t0 = performance.now();
    const db = join(dir, 'db');
    const outFd = openSync(join(dir, 'load.out'), 'w');
    const load = spawn('groonga', ['-n', db], { stdio: ['pipe', outFd, 'inherit'] });
    closeSync(outFd);
    const exited = once(load, 'exit');
    if (load.stdin) await pipeline(createReadStream(join(dir, 'load.grn')), load.stdin);
    const [code] = (await exited) as [number | null];
    const loadSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    const answers = (await readFile(join(dir, 'load.out'), 'utf8')).trim().split('\n');
    const failed = answers.filter((a) => !a.startsWith('[[0,'));
    const loaded = answers.map((a) => /^\[\[0,[^\]]*\],(\d+)\]$/.exec(a)?.[1]).find((x) => x !== undefined && Number(x) > 1);
    if (code !== 0 || failed.length || Number(loaded) !== items) {
      throw new Error(`groonga load failed (exit ${code}, ${loaded ?? '?'} of ${items} rows loaded): ${failed.slice(0, 3).join(' | ').slice(0, 1000)}`);
    }
    await rm(join(dir, 'load.grn'));
    const dbMiB = await dirMiB(dir);
    log(`groonga peer: loaded and indexed in ${loadSeconds} s (${dbMiB} MiB); starting its HTTP server on ${groongaUrl}`);

    child = spawn('groonga', ['-s', '--protocol', 'http', '--bind-address', '127.0.0.1', '--port', String(groongaPort), '--cache-limit', '0', '-t', String(cpus().length), db], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    process.once('exit', kill);
    for (let i = 0; !(await fetch(`${groongaUrl}/d/status`).then((r) => r.ok, () => false)); i++) {
      if (i > 300 || child.exitCode !== null) throw new Error(`groonga did not start at ${groongaUrl} (exit code ${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const hop = await startServerProcess('groonga peer (Node hop)', ['bench/groonga-peer-server.ts'], { BENCH_GROONGA_URL: groongaUrl, BENCH_PORT: String(port) }, `http://127.0.0.1:${port}`);
    const groonga = child;
    return {
      ...hop,
      version, items, exportSeconds, loadSeconds, dbMiB,
      groongaPeakRssMiB: () => peakRssMiB(groonga.pid),
      stop: async () => {
        await hop.stop();
        if (groonga.exitCode === null) {
          const exited = once(groonga, 'exit');
          groonga.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
          kill();
        }
        process.off('exit', kill);
        await cleanup();
      },
    };
  } catch (e) {
    kill();
    process.off('exit', kill);
    await cleanup();
    throw e;
  }
}
