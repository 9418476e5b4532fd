import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the hub's processes complained about, from their logs (JSON lines at warn and above):
 * counted per process kind, message and error, with ids and numbers folded so one cause is one
 * row. Not an invariant: it says where to look (job failures retried, deadlocks, dead runs).
 */
export function logSummary(logDir: string): { what: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const file of readdirSync(logDir).filter((f) => f.endsWith('.log'))) {
    const kind = file.replace(/-\d+\.log$|\.log$/, '');
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let what: string;
      try {
        const j = JSON.parse(line) as { msg?: string; queue?: string; err?: { message?: string } | string };
        const err = typeof j.err === 'string' ? j.err : (j.err?.message ?? '');
        what = `${kind}: ${j.msg ?? '?'}${j.queue ? ` (${j.queue})` : ''}${err ? `: ${err}` : ''}`;
      } catch {
        what = `${kind}: ${line}`;
      }
      const folded = what.replace(/hub_chaos_[0-9a-f]+/g, 'hub_chaos_<run>').replace(/\b[a-z]{2,4}_[0-9a-f]{16,}\b/g, '<id>').replace(/\d+/g, 'N').slice(0, 220);
      counts.set(folded, (counts.get(folded) ?? 0) + 1);
    }
  }
  return [...counts].map(([what, count]) => ({ what, count })).sort((a, b) => b.count - a.count);
}
