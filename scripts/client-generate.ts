/**
 * The typed client's generated half (clients/typescript/schema.d.ts), made with the stock generator
 * a mall would use, openapi-typescript, from the document the hub serves at GET /openapi.json.
 *
 *   node scripts/client-generate.ts              (npm run client:generate) writes schema.d.ts
 *   node scripts/client-generate.ts --check      (npm run client:check) fails when the committed
 *                                                schema.d.ts differs from a fresh one, then
 *                                                type-checks clients/typescript (its example too)
 *   node scripts/client-generate.ts --from URL   takes the document from a running hub instead
 *
 * The document comes from scripts/openapi-json.ts (the same one `npm run lint:openapi` lints): the
 * real app asked for /openapi.json in-process, with nothing started and no database or Redis
 * reached. It runs with every HUB_* variable removed from its environment, so the document (and so
 * the client) does not depend on the settings of the shell it runs in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const CLIENT_DIR = join(ROOT, 'clients/typescript');
const SCHEMA = join(CLIENT_DIR, 'schema.d.ts');
const BIN = (name: string) => join(ROOT, 'node_modules/.bin', name);

const args = process.argv.slice(2);
const check = args.includes('--check');
const fromIdx = args.indexOf('--from');
const from = fromIdx >= 0 ? args[fromIdx + 1] : undefined;

/** Thrown to stop with a message (the temporary folder is still removed). */
class Failure extends Error {}
function fail(message: string): never {
  throw new Failure(message);
}

/** Runs a command from the repository root with the output shown; fails the script when it fails. */
function run(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`${relative(ROOT, cmd)}: ${r.error.message}`);
  if (r.status !== 0) fail(`${relative(ROOT, cmd)} ${cmdArgs.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** Writes the hub's OpenAPI document to `out`. */
async function fetchDocument(out: string): Promise<void> {
  if (from) {
    const url = new URL('/openapi.json', from);
    const res = await fetch(url);
    if (!res.ok) fail(`GET ${url} answered ${res.status}`);
    writeFileSync(out, await res.text());
    return;
  }
  const script = join(ROOT, 'scripts/openapi-json.ts');
  if (!existsSync(script)) fail('scripts/openapi-json.ts (which writes the served document) is missing');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HUB_')));
  run(process.execPath, [script, out], env);
}

/** The types openapi-typescript makes of the document, into `out`. */
function generate(doc: string, out: string): void {
  // Its own Redocly config (clients/typescript/redocly.yaml): see the comment in that file.
  run(BIN('openapi-typescript'), [doc, '--redocly', join(CLIENT_DIR, 'redocly.yaml'), '--output', out]);
}

if (fromIdx >= 0 && !from) {
  process.stderr.write('client: --from needs the hub URL, e.g. --from http://127.0.0.1:3000\n');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'hub-client-'));
try {
  const doc = join(tmp, 'openapi.json');
  await fetchDocument(doc);
  if (!check) {
    generate(doc, SCHEMA);
    process.stdout.write(`client: wrote ${relative(ROOT, SCHEMA)}\n`);
  } else {
    const fresh = join(tmp, 'schema.d.ts');
    generate(doc, fresh);
    const committed = existsSync(SCHEMA) ? readFileSync(SCHEMA, 'utf8') : '';
    if (readFileSync(fresh, 'utf8') !== committed) {
      const diff = spawnSync('diff', ['-u', '--label', 'committed', '--label', 'generated', SCHEMA, fresh], { encoding: 'utf8' });
      const lines = (diff.stdout || '(no diff output)').split('\n');
      process.stderr.write(`${lines.slice(0, 80).join('\n')}${lines.length > 80 ? `\n… ${lines.length - 80} more diff lines\n` : '\n'}`);
      fail(`${relative(ROOT, SCHEMA)} is stale: /openapi.json changed since it was generated. Run \`npm run client:generate\`, check that clients/typescript still type-checks, and commit the new file.`);
    }
    process.stdout.write(`client: ${relative(ROOT, SCHEMA)} matches /openapi.json\n`);
    run(BIN('tsc'), ['-p', join(CLIENT_DIR, 'tsconfig.json')]);
    process.stdout.write('client: clients/typescript type-checks\n');
  }
} catch (err) {
  if (!(err instanceof Failure)) throw err;
  process.stderr.write(`client: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
