import { readFileSync } from 'node:fs';
import { withClient } from './bench-db.ts';

/**
 * Where the CPU of a bench phase went, by role: the hub's processes, the load generator, and the
 * PostgreSQL backends of each (told apart by their application_name). On a shared two-core host
 * this says whether a figure was limited by the hub, by the database or by a neighbour. Linux only
 * (/proc); elsewhere the split is empty.
 */
export type Roles = Record<string, number[]>;

const TICKS_PER_SEC = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** The PostgreSQL backends of each application name (as the hub's processes set them). */
async function backends(): Promise<Roles> {
  const rows = (await withClient((c) => c.query<{ pid: number; app: string }>("select pid, application_name app from pg_stat_activity where backend_type = 'client backend'"))).rows;
  const out: Roles = {};
  for (const r of rows) (out[`pg:${r.app || 'other'}`] ??= []).push(r.pid);
  return out;
}

export interface CpuWindow { stop: () => Promise<Record<string, number>> }

/** Starts measuring; `stop` returns cores used per role (CPU seconds ÷ wall seconds) over the window. */
export async function cpuWindow(roles: Roles): Promise<CpuWindow> {
  const before = { ...roles, ...(await backends()) };
  const start = new Map(Object.values(before).flat().map((p) => [p, cpuTicks(p)]));
  const t0 = performance.now();
  return {
    stop: async () => {
      const secs = (performance.now() - t0) / 1000;
      const all = { ...roles, ...(await backends()) };
      const out: Record<string, number> = {};
      for (const [role, pids] of Object.entries(all)) {
        const ticks = pids.reduce((k, p) => k + Math.max(0, cpuTicks(p) - (start.get(p) ?? 0)), 0);
        if (ticks > 0) out[role] = Math.round((ticks / TICKS_PER_SEC / secs) * 100) / 100;
      }
      return out;
    },
  };
}

/** "api 0.71, pg:redemption-hub-api 0.62, …" (cores), largest first. */
export function showCpu(split: Record<string, number>): string {
  return Object.entries(split).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') + ' cores';
}
