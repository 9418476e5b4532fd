import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE.md, "Writing SQL": SQL lives in a store function of the capability that owns the
// table; services, routes, steps and processors call it. This finds statements run anywhere else
// in the product (src/, workflows/, connectors/; tests and benchmarks are not the product).
const ROOT = join(import.meta.dirname, '..', '..');
const PRODUCT = ['src', 'workflows', 'connectors'];

/**
 * Stores by another name, and the tables each is the SQL of. Every one holds functions that run
 * SQL on its capability's tables and nothing else; a new store is named `*-store.ts` instead of
 * joining this list.
 */
export const STORES_BY_ANOTHER_NAME: Readonly<Record<string, string>> = {
  'src/catalog/catalog-query.ts': 'the catalog as a mall reads it: mall_item with catalog_item and catalog_offer',
  'src/catalog/mall-pricing.ts': "each mall's prices (mall_item) and the repricing that writes them",
  'src/catalog/sync-status.ts': 'catalog_sync_run, as the admin console reads it',
  'src/mall-webhooks/outbox.ts': 'the mall_event outbox and its per-order counter',
  'src/mall-webhooks/webhook-deliveries.ts': 'webhook_delivery: made from mall events, due, replayed; a mall webhook switched on',
  'src/mall-webhooks/webhook-attempts.ts': 'the delivery batch claim and record (webhook_delivery, webhook_attempt)',
  'src/mall-webhooks/webhook-delivery-queries.ts': 'webhook_delivery and webhook_attempt, as the admin console reads them',
  'src/orders/order-insert.ts': "order intake's one-statement insert and its lookups",
  'src/queues/job-outbox.ts': 'job_outbox',
  'src/supplier-events/inbound-events.ts': 'inbound_event',
};

/** Where statements may run: stores (`*-store.ts`, the engine's store, the list above) and the persistence infrastructure. */
export function mayRunSql(file: string): boolean {
  return file.endsWith('-store.ts') || file.startsWith('src/persistence/') || file === 'workflows/engine/store.ts' || file in STORES_BY_ANOTHER_NAME;
}

/** The query helpers of src/persistence/bound-query.ts: every call runs a statement. */
const HELPERS = new Set(['executeBound', 'executePrepared']);
/** Links of a receiver that make its `.execute(` / `.query(` a statement: an entity manager, its connection, a driver or kysely underneath. */
const SQL_LINKS = new Set(['em', 'tx', 'fork', 'getConnection', 'getClient', 'getNativeClient', 'getKysely', 'createQueryBuilder']);
/** Types whose values run SQL when called with `.execute(` or `.query(` (`Client` only in a file that imports pg). */
const SQL_TYPES = new Set(['EntityManager', 'SqlEntityManager', 'Connection', 'AbstractSqlConnection', 'PostgreSqlConnection', 'Kysely', 'Pool', 'PoolClient', 'ClientBase']);

/** The names a receiver is reached through, outermost first: `deps.em.fork().getConnection()` → getConnection, fork, em, deps. */
function linksOf(node: ts.Expression): string[] {
  const links: string[] = [];
  let e: ts.Expression = node;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e)) {
      // c.get('em'): the request's entity manager, by its key.
      const [arg] = e.arguments;
      if (e.arguments.length === 1 && arg && ts.isStringLiteral(arg)) links.push(arg.text);
      e = e.expression;
    } else if (ts.isPropertyAccessExpression(e)) {
      links.push(e.name.text.replace(/^#/, ''));
      e = e.expression;
    } else if (ts.isElementAccessExpression(e)) e = e.expression;
    else if (ts.isNewExpression(e)) {
      links.push(`new ${e.expression.getText()}`);
      return links;
    } else {
      if (ts.isIdentifier(e)) links.push(e.text);
      return links;
    }
  }
}

/**
 * Every statement a file runs, as `file:line: code`: calls of executeBound / executePrepared, of
 * `.execute(` on an entity manager or a connection (reached through em, tx, getConnection()…, or
 * a name bound to one), of kysely's `executeQuery`, and of `.query(` on a pg client. Comments and
 * strings are not code, so naming a call in them is fine.
 */
export function statementsIn(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const importsPg = source.statements.some((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === 'pg');
  const sqlTypes = importsPg ? new Set([...SQL_TYPES, 'Client', 'pg.Pool', 'pg.Client', 'pg.PoolClient']) : SQL_TYPES;
  const makesHandle = (links: string[]) => {
    const outer = links[0] ?? '';
    return SQL_LINKS.has(outer) || outer.endsWith('Em') || outer === 'connect' || /^new (pg\.)?(Pool|Client)$/.test(outer);
  };
  // Names bound to something that runs SQL: `const conn = tx.getConnection()`, `pool: Pool`, `readonly #em: EntityManager`.
  const handles = new Set<string>();
  const bind = (node: ts.Node): void => {
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isPropertyDeclaration(node)) && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) {
      const name = node.name.text.replace(/^#/, '');
      if (node.type && ts.isTypeReferenceNode(node.type) && sqlTypes.has(node.type.typeName.getText(source))) handles.add(name);
      if (node.initializer && makesHandle(linksOf(node.initializer))) handles.add(name);
    }
    ts.forEachChild(node, bind);
  };
  bind(source);
  const runsSql = (links: string[]) => links.some((l) => SQL_LINKS.has(l) || handles.has(l) || l.endsWith('Em'));
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const statement =
        HELPERS.has(name) ||
        name === 'executeQuery' ||
        ((name === 'execute' || name === 'query') && ts.isPropertyAccessExpression(callee) && runsSql(linksOf(callee.expression)));
      if (statement) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${file}:${line + 1}: ${node.getText(source).split('\n')[0]?.trim().slice(0, 140)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Statements run outside the files allowed to run them. */
export function sqlOutsideStores(files: readonly string[], read: (file: string) => string): string[] {
  return files.filter((f) => !mayRunSql(f)).flatMap((f) => statementsIn(f, read(f)));
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('SQL lives in stores', () => {
  it('no product code outside a store runs a statement', () => {
    const files = PRODUCT.flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    expect(sqlOutsideStores(files, read)).toEqual([]);
  });

  it('every store by another name exists and runs SQL (the list names stores, nothing stale)', () => {
    for (const file of Object.keys(STORES_BY_ANOTHER_NAME)) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
      expect(statementsIn(file, read(file)).length, file).toBeGreaterThan(0);
    }
  });

  it('catches the kinds of inline statement the hub used to write, and nothing else', () => {
    const samples: Record<string, string> = {
      // A route reading through the request's entity manager.
      'src/http/routes/admin/catalog-item.ts': "const rows = await c.get('em').getConnection().execute<Row[]>('select id from catalog_item where sku_id = ?', [skuId]);",
      // A service through a connection it named, in its transaction.
      'src/orders/cancel.ts': [
        'const conn = tx.getConnection();',
        'const ctx = tx.getTransactionContext();',
        "await conn.execute('update line_attempt set status = ? where id = ?', [status, id], 'run', ctx);",
      ].join('\n'),
      // A processor, the call split over lines.
      'src/queues/processors/maintenance.processor.ts': "await deps.em\n  .fork()\n  .getConnection()\n  .execute('delete from catalog_change where at < ?', [before], 'run');",
      // The bound-parameter helper, on a hot path.
      'src/queues/outbox-relay.ts': "await executeBound(this.#em, 'update job_outbox set dispatched_at = now() where id = any(?::bigint[])', [ids]);",
      // The entity manager's own execute.
      'workflows/lines/issued.ts': "await tx.execute('select 1');",
      // A pg client of one's own.
      'src/roles/worker.ts': "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString });\nawait pool.query('select 1');",
      // Not statements: a store, an allow-listed store, cockatiel policies, Hono's query string, a comment, a string.
      'src/orders/voucher-store.ts': "await tx.getConnection().execute('select 1', [], 'all', tx.getTransactionContext());",
      'src/queues/job-outbox.ts': "await executeBound(em, 'update job_outbox set dispatched_at = now()', []);",
      'connectors/shared/resilience.ts': 'return await this.#bulkhead.execute(() => this.#breaker.execute(fn));',
      'connectors/sandbox/brand/order-routes.ts': "const reference = c.req.query('clientReference');",
      'src/catalog/availability.ts': "// conn.execute(sql) and executeBound(em, sql) live in the store\nconst hint = 'see executeBound(em, sql, params)';",
    };
    const flagged = sqlOutsideStores(Object.keys(samples), (f) => samples[f] ?? '');
    expect(flagged.map((f) => f.split(':').slice(0, 2).join(':'))).toEqual([
      'src/http/routes/admin/catalog-item.ts:1',
      'src/orders/cancel.ts:3',
      'src/queues/processors/maintenance.processor.ts:1',
      'src/queues/outbox-relay.ts:1',
      'workflows/lines/issued.ts:1',
      'src/roles/worker.ts:3',
    ]);
  });
});
