import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractViolation } from './contract-check.ts';
import { changedTables, snapshotDb } from './db-snapshot.ts';
import { FUZZ_BODY_LIMIT, type FuzzHub, startFuzzHub } from './fuzz-hub.ts';
import { describeRequest, hostileRequests } from './hostile-requests.ts';
import { operationsOf } from './openapi-operations.ts';
import { closeWire, send } from './wire.ts';

/** Runs per operation (FUZZ_RUNS) and the seed (FUZZ_SEED): fixed by default, so CI runs are repeatable. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
/** Fewer requests than this to an operation and the run proves little about it. */
const MIN_REQUESTS = 30;

/** A per-operation seed, so one operation's failures replay without the others. */
const seedOf = (id: string) => [...id].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) | 0, SEED);

let fuzz: FuzzHub;
beforeAll(async () => {
  fuzz = await startFuzzHub();
}, 60_000);
afterAll(async () => {
  closeWire();
  await fuzz?.close();
});

describe('every operation of /openapi.json under hostile requests', () => {
  it('never answers 5xx, answers 4xx with the contract error body, refuses every mutating request, and changes nothing', async () => {
    const started = Date.now();
    const doc = await send(fuzz.base, { method: 'GET', target: '/openapi.json', headers: {} });
    const ops = operationsOf(JSON.parse(doc.body));
    expect(ops.length).toBeGreaterThan(30);
    const failures: string[] = [];
    const table: { operation: string; requests: number; statuses: string; refusedByPostgres: number }[] = [];
    // Refused only by PostgreSQL (the 400 backstop in toAppError): input the edge checks let through.
    const backstopped = () => fuzz.hub.logs.lines.filter((l) => l.includes('edge checks missed')).length;
    for (const op of ops) {
      const statuses = new Map<number, number>();
      let requests = 0;
      const em = fuzz.hub.deps.orm.em.fork();
      const before = await snapshotDb(em);
      const backstoppedBefore = backstopped();
      const result = await fc.check(
        fc.asyncProperty(hostileRequests(op, fuzz.ctx, { bodyLimit: FUZZ_BODY_LIMIT, order: fuzz.order }), async (r) => {
          requests++;
          const res = await send(fuzz.base, r.req).catch((err: unknown) => {
            throw new Error(`no answer (${err instanceof Error ? err.message : String(err)})\n  ${describeRequest(r)}`);
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const violation = contractViolation(res, { mustRefuse: op.mutating });
          if (violation) throw new Error(`${violation}\n  ${describeRequest(r)}`);
        }),
        { seed: seedOf(op.id), numRuns: RUNS, endOnFailure: true },
      );
      if (result.failed) {
        failures.push(`${op.method} ${op.path} (${op.id}), FUZZ_SEED=${SEED} seed=${result.seed} path=${result.counterexamplePath}:\n  ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}`);
      }
      // Every request to a mutating operation was refused, and so were many reads: nothing they
      // sent may be written. A read that was answered may leave its audit entry (voucher reveals
      // are audited), one per answer at most.
      const after = await snapshotDb(em);
      const accepted = [...statuses].filter(([s]) => s < 400).reduce((n, [, k]) => n + k, 0);
      const audited = (after.audit_entry?.rows ?? 0) - (before.audit_entry?.rows ?? 0);
      const changed = changedTables(before, after).filter((t) => !(t === 'audit_entry' && !op.mutating && audited <= accepted));
      if (changed.length) failures.push(`${op.method} ${op.path} (${op.id}), FUZZ_SEED=${SEED}: changed tables ${changed.join(', ')} (${accepted} requests accepted)`);
      if (requests < MIN_REQUESTS) failures.push(`${op.method} ${op.path} (${op.id}): only ${requests} requests`);
      table.push({
        operation: `${op.method} ${op.path}`,
        requests,
        statuses: [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' '),
        refusedByPostgres: backstopped() - backstoppedBefore,
      });
    }
    console.log(`openapi fuzz: ${table.reduce((n, t) => n + t.requests, 0)} requests to ${ops.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}); ${backstopped()} refused by PostgreSQL, not the edge`);
    console.table(table);
    expect(failures, failures.join('\n\n')).toEqual([]);
    // The hub logged no bug (5xx) on the way, whatever the answers looked like.
    expect(fuzz.hub.logs.lines.filter((l) => l.includes('unhandled error')).map((l) => l.slice(0, 500))).toEqual([]);
  }, 120_000);
});
