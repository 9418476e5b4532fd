import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeadLetter, Read } from './collect.ts';
import type { InjectedFault } from './faults.ts';
import type { Invariant } from './invariants.ts';
import type { LoadStats } from './load.ts';
import type { ChaosOptions } from './options.ts';

export interface ChaosReport {
  startedAt: string;
  durationSeconds: number;
  options: ChaosOptions;
  database: string;
  redisPrefix: string;
  /** The hub's settings the run shortened, as the processes got them. */
  hubEnv: Record<string, string>;
  phases: { phase: string; seconds: number }[];
  load: LoadStats;
  /** Every cancel the malls sent (seconds into the load), with the answer per line: evidence for what the hub and suppliers then did. */
  cancels: { orderId: string; mall: string; atSeconds: number; status: number | null; tries: (number | null)[]; lines: { lineId: string; result: string; reason?: string }[] }[];
  /** Requests that got no answer, by API and error, with the seconds into the load they happened at. */
  unanswered: { what: string; count: number; atSeconds: number[] }[];
  faults: (Omit<InjectedFault, 'startMs' | 'endMs'> & { atSeconds: number; forSeconds: number })[];
  settle: { outcome: string; seconds: number; last: Record<string, number> };
  invariants: Invariant[];
  deadLetters: { count: number; byReason: Record<string, number>; items: DeadLetter[] } | { error: string };
  /** What the faults did to the hub's work: workflow steps retried, attempts at sources by outcome. */
  effects?: { stepRetries: { step: string; steps: number; retries: number }[]; runStatuses: { status: string; n: number }[]; attemptOutcomes: { supplier_id: string; status: string; reason: string | null; n: number }[] };
  /** Where the processes' logs are, and what they logged (warn and above), folded by cause. */
  logs: string;
  logSummary: { what: string; count: number }[];
  error?: string;
}

const MARK = { pass: 'PASS', fail: 'FAIL', 'not-checked': 'NOT CHECKED' } as const;

/** Dead letters grouped by their reason (digits folded, so one cause is one group). */
export function deadLetterSummary(read: Read<DeadLetter[]>): ChaosReport['deadLetters'] {
  if (!read.ok) return { error: read.error };
  const byReason: Record<string, number> = {};
  for (const d of read.value) {
    const reason = `${d.step}: ${(d.lastError ?? 'no error recorded').replace(/\d+/g, 'N').slice(0, 160)}`;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
  return { count: read.value.length, byReason, items: read.value };
}

/** The invariants as the console shows them: one line each with its numbers, then its evidence. */
export function printInvariants(invariants: readonly Invariant[], out: (line: string) => void): void {
  out('');
  out('Invariants');
  for (const i of invariants) {
    out(`  ${MARK[i.status].padEnd(11)} ${i.title}`);
    const numbers = Object.entries(i.numbers).map(([k, v]) => `${k}: ${v}`).join(', ');
    if (numbers) out(`              ${numbers}`);
    if (i.note) out(`              note: ${i.note}`);
    for (const e of i.evidence.slice(0, i.status === 'fail' ? 8 : 0)) out(`              - ${e}`);
    if (i.status === 'fail' && i.evidence.length > 8) out(`              … ${i.evidence.length - 8} more in the report`);
  }
}

function markdown(r: ChaosReport): string {
  const lines = [
    `# Chaos run ${r.startedAt} (${r.options.profile}, seed ${r.options.seed})`,
    '',
    `${r.durationSeconds} s in all; ${r.load.ordersSent} orders sent over ${r.options.loadSeconds} s (${r.load.accepted} accepted), ${r.load.cancelsSent} cancels, ${r.load.catalogReads.sent} catalog reads.`,
    `Refused orders: ${Object.entries(r.load.refused).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}. Cancel results per line: ${Object.entries(r.load.cancelResults).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`,
    `Requests with no answer: ${r.unanswered.map((u) => `${u.count}× ${u.what} (at ${u.atSeconds.join(', ')} s)`).join('; ') || 'none'}.`,
    `Settling: ${r.settle.outcome} after ${r.settle.seconds} s.${r.error ? ` **Harness error: ${r.error}**` : ''}`,
    '',
    '| invariant | result | numbers |',
    '| --- | --- | --- |',
    ...r.invariants.map((i) => `| ${i.title} | ${MARK[i.status]} | ${Object.entries(i.numbers).map(([k, v]) => `${k}: ${v}`).join('; ').replaceAll('|', '/')} |`),
    '',
    '## Faults injected',
    '',
    ...r.faults.map((f) => `- ${f.atSeconds} s: ${f.kind}${f.target ? ` ${f.target}` : ''} for ${f.forSeconds} s (${f.detail})`),
    '',
    '## What the faults did to the hub',
    '',
    ...(r.effects ? [
      `Workflow runs: ${r.effects.runStatuses.map((x) => `${x.status} ${x.n}`).join(', ')}.`,
      `Workflow steps (retries): ${r.effects.stepRetries.map((x) => `${x.step} ${x.steps} (${x.retries})`).join(', ')}.`,
      '',
      '| supplier | attempt status | reason | attempts |',
      '| --- | --- | --- | --- |',
      ...r.effects.attemptOutcomes.map((x) => `| ${x.supplier_id} | ${x.status} | ${(x.reason ?? '').replaceAll('|', '/')} | ${x.n} |`),
    ] : ['not read']),
    '',
    '## Dead letters',
    '',
    ...('error' in r.deadLetters ? [`not read: ${r.deadLetters.error}`] : [`${r.deadLetters.count} in all`, ...Object.entries(r.deadLetters.byReason).map(([k, v]) => `- ${v}× ${k}`)]),
    '',
    '## What the processes logged (warn and above)',
    '',
    ...(r.logSummary.length ? r.logSummary.map((l) => `- ${l.count}× \`${l.what.replaceAll('`', "'")}\``) : ['nothing']),
    '',
    '## Evidence',
    '',
    ...r.invariants.filter((i) => i.status !== 'pass' || i.evidence.length).flatMap((i) => [`### ${MARK[i.status]}: ${i.title}`, '', ...(i.note ? [i.note, ''] : []), ...i.evidence.map((e) => `- ${e}`), '']),
    `Process logs: \`${r.logs}\``,
    '',
  ];
  return lines.join('\n');
}

/** Writes `<stamp>-<profile>.json` and `.md` into the reports folder; returns their paths. */
export function writeReport(dir: string, stamp: string, r: ChaosReport): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${stamp}-${r.options.profile}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown(r));
  return { json: `${base}.json`, md: `${base}.md` };
}
