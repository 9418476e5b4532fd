import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Only the workflow engine's store reads or writes workflow_run and workflow_step: everything else
// goes through the engine's API (workflows/engine/index.ts). The dependency rules keep the store
// itself private; this keeps SQL on its tables from being written anywhere else.
const ROOT = join(import.meta.dirname, '..', '..');
const OWNER = 'workflows/engine/store.ts';
/** Migrations create the tables; nothing else of the product may name them in SQL. */
const ALLOWED = [OWNER, 'src/persistence/migrations/'];
const SQL_ON_RUNS = /\b(from|join|into|update|table|truncate)\s+(only\s+)?workflow_(run|step)\b/i;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|mts|cts|js)$/.test(name) ? [path] : [];
  });
}

/** Files of the product (not tests or benchmarks) with SQL on the run tables, and the line. */
export function runTableWriters(files: string[], read: (f: string) => string): string[] {
  return files
    .filter((f) => !ALLOWED.some((a) => f.startsWith(a)))
    .flatMap((f) => read(f).split('\n').flatMap((line, i) => (SQL_ON_RUNS.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
}

describe('the workflow engine owns its tables', () => {
  it('no product code outside workflows/engine/store.ts names workflow_run or workflow_step in SQL', () => {
    const files = ['src', 'workflows', 'connectors'].flatMap(sources).map((f) => relative(ROOT, join(ROOT, f)));
    expect(files.length).toBeGreaterThan(100);
    expect(runTableWriters(files, (f) => readFileSync(join(ROOT, f), 'utf8'))).toEqual([]);
  });

  it('catches the kinds of statement the hub used to write elsewhere', () => {
    const old = {
      'src/orders/cancel.ts': "await c.execute(\"update workflow_run set status = 'cancelled' where id = ?\", [id]);",
      'src/http/routes/admin/dead-letters.ts': 'from workflow_run r left join order_line l on l.id = r.subject_id',
      'src/orders/order-insert.ts': '       insert into workflow_run (id, workflow, subject_id) select run_id, workflow, id from input',
      'workflows/engine/store.ts': 'update workflow_run set status = ?',
    };
    expect(runTableWriters(Object.keys(old), (f) => old[f as keyof typeof old])).toHaveLength(3);
  });
});
