import { Pool } from 'undici';

/**
 * Offers requests at a steady rate, whatever the answers do (open loop), and measures each from
 * the moment it was due, not the moment a connection was free to send it. So a server that falls
 * behind shows it: its late answers are counted with the time they waited (no coordinated
 * omission), and a rate it cannot sustain shows as a growing queue, not as a lower offered rate.
 *
 * autocannon's own rate mode is not used for latency: each connection sends its quota for the
 * second back to back at the top of the second and then pauses, so all connections burst
 * together every second and "1 000/s offered" is a saturating burst followed by silence.
 */
export interface OpenLoopResult {
  answeredPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  /** Connection errors (an answer that never came is `unanswered`, not an error). */
  errors: number;
  /** Requests still unanswered when the wait after the run ended: the server fell that far behind. */
  unanswered: number;
}

export interface OpenLoopOptions {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
  request: (i: number) => { path: string; method: 'POST' | 'GET'; headers: Record<string, string>; body?: string };
  /** How long to wait for the last answers after the offering stops (default 30 s). */
  drainMs?: number;
}

const percentile = (sorted: number[], p: number) => sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : 0;

export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(o.url, { connections: o.connections, pipelining: 1 });
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const inFlight = new Map<number, number>(); // request → when it was due
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const t0 = performance.now();
  let sent = 0;
  let lastAnswer = t0;
  const send = (i: number, dueAt: number) => {
    const r = o.request(i);
    inFlight.set(i, dueAt);
    pool.request({ path: r.path, method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) ok++;
        else non2xx++;
      }, () => {
        errors++;
      })
      .finally(() => {
        if (!inFlight.delete(i)) return; // given up on at the end of the run
        lastAnswer = performance.now();
        latencies.push(lastAnswer - dueAt);
      });
  };
  // Every millisecond or so, send whatever has come due (timers are coarse; the schedule is not).
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        send(sent, t0 + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + (o.drainMs ?? 30_000);
  while (inFlight.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // Unanswered requests count at least as late as the end of the wait.
  const end = performance.now();
  for (const dueAt of inFlight.values()) latencies.push(end - dueAt);
  const unanswered = inFlight.size;
  inFlight.clear();
  const sorted = latencies.sort((a, b) => a - b);
  const counts = { ok, non2xx, errors };
  await pool.destroy().catch(() => undefined);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    answeredPerSec: Math.round(((ok + non2xx) / Math.max(1, lastAnswer - t0)) * 1000),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    ...counts, unanswered,
  };
}
