/**
 * What a chaos run does and for how long: the quick profile (CI, a few minutes on 2 cores) and the
 * full one (by hand). Every figure of a run comes from here, so the report can print them.
 */

/** A fault the schedule injects, at `at` seconds after the load starts. */
export type ScheduledFault =
  | { at: number; kind: 'kill'; target: 'api-1' | 'api-2' | 'worker-1' | 'worker-2'; downSeconds: number }
  | { at: number; kind: 'postgres-cut'; seconds: number }
  | { at: number; kind: 'redis-loss' }
  | { at: number; kind: 'mall-endpoint-down'; seconds: number };

export interface ChaosOptions {
  profile: 'quick' | 'full';
  /** Keep the chaos database (and its Redis keys) after the run, for digging. */
  keep: boolean;
  /** Seeds the load's choices and the suppliers' fault dice, so a run can be repeated. */
  seed: number;
  /** How long the malls send orders, and about how many (both malls together). */
  loadSeconds: number;
  orders: number;
  /** After the load: wait until everything is delivered, nothing moved for `stallSeconds`, or `settleSeconds` passed. */
  settleSeconds: number;
  stallSeconds: number;
  /** Goods SKUs per sandbox supplier (a small catalog syncs in seconds). */
  skus: number;
  schedule: ScheduledFault[];
}

const QUICK: Omit<ChaosOptions, 'keep' | 'seed'> = {
  profile: 'quick',
  loadSeconds: 75,
  orders: 420,
  settleSeconds: 120,
  stallSeconds: 30,
  skus: 300,
  // Each fault once. Redis loses its data after the last restart, so a restart cannot hide what a
  // lost scheduler leaves undone; the mall endpoint is down across the PostgreSQL cut.
  schedule: [
    { at: 8, kind: 'kill', target: 'worker-1', downSeconds: 3 },
    { at: 18, kind: 'kill', target: 'api-1', downSeconds: 3 },
    { at: 25, kind: 'mall-endpoint-down', seconds: 30 },
    { at: 33, kind: 'postgres-cut', seconds: 5 },
    { at: 50, kind: 'redis-loss' },
  ],
};

const FULL: Omit<ChaosOptions, 'keep' | 'seed'> = {
  profile: 'full',
  loadSeconds: 180,
  orders: 2000,
  settleSeconds: 240,
  stallSeconds: 45,
  skus: 400,
  schedule: [
    { at: 10, kind: 'kill', target: 'worker-1', downSeconds: 3 },
    { at: 25, kind: 'kill', target: 'api-1', downSeconds: 4 },
    { at: 40, kind: 'postgres-cut', seconds: 5 },
    { at: 55, kind: 'mall-endpoint-down', seconds: 30 },
    { at: 62, kind: 'kill', target: 'worker-2', downSeconds: 5 },
    { at: 80, kind: 'redis-loss' },
    { at: 95, kind: 'kill', target: 'api-2', downSeconds: 3 },
    { at: 105, kind: 'kill', target: 'worker-1', downSeconds: 2 },
    { at: 120, kind: 'postgres-cut', seconds: 5 },
    { at: 150, kind: 'redis-loss' },
  ],
};

const USAGE = `usage: npm run chaos -- [--quick] [--keep] [--seed N] [--orders N] [--seconds N]
  --quick      the CI profile: ~${QUICK.orders} orders over ${QUICK.loadSeconds} s, each fault once (default: the full run, ~${FULL.orders} orders over ${FULL.loadSeconds} s)
  --keep       keep the chaos database and its Redis keys afterwards
  --seed N     repeat a run's choices and fault dice (default: random, printed)
  --orders N   orders to send (both malls together)
  --seconds N  seconds of load (the fault schedule is scaled to it)`;

/** Parses `process.argv`-style arguments; throws with the usage on anything unknown. */
export function parseOptions(args: readonly string[]): ChaosOptions {
  const profile = args.includes('--quick') ? QUICK : FULL;
  const opts: ChaosOptions = { ...profile, schedule: [...profile.schedule], keep: false, seed: Math.floor(Math.random() * 1_000_000) + 1 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = () => {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive whole number\n${USAGE}`);
      return v;
    };
    if (a === '--quick') continue;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--seed') opts.seed = value();
    else if (a === '--orders') opts.orders = value();
    else if (a === '--seconds') {
      const seconds = value();
      // The faults keep their place in the load (a schedule made for 75 s stays inside 40 s).
      const scale = seconds / opts.loadSeconds;
      opts.schedule = opts.schedule.map((f) => ({ ...f, at: Math.round(f.at * scale) }));
      opts.loadSeconds = seconds;
    } else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return opts;
}
