import { describe, expect, it } from 'vitest';
import { IntakeYield } from '../../src/queues/intake-yield.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A task that records how many tasks ran at once and when it started. */
function tracker() {
  let running = 0;
  const stats = { maxRunning: 0, starts: [] as number[] };
  const task = (ms: number) => async () => {
    stats.starts.push(performance.now());
    stats.maxRunning = Math.max(stats.maxRunning, ++running);
    await sleep(ms);
    running--;
  };
  return { stats, task };
}

describe('IntakeYield', () => {
  it('runs tasks at once and side by side while intake is calm', async () => {
    const gate = new IntakeYield({ aboveOrdersPerSec: 100, duty: 0.1, checkEveryMs: 60_000, readRate: async () => 0 });
    const { stats, task } = tracker();
    const t0 = performance.now();
    await Promise.all([1, 2, 3].map(() => gate.run(task(30))));
    expect(stats.maxRunning).toBe(3);
    expect(performance.now() - t0).toBeLessThan(200);
    gate.stop();
  });

  it('while yielding, runs tasks one at a time, each followed by a rest that keeps work at the duty share', async () => {
    let rested = 0;
    const gate = new IntakeYield({ aboveOrdersPerSec: 100, duty: 0.5, checkEveryMs: 60_000, readRate: async () => 500, onRest: (ms) => (rested += ms) });
    await gate.check();
    expect(gate.yielding).toBe(true);
    const { stats, task } = tracker();
    await Promise.all([1, 2, 3].map(() => gate.run(task(40))));
    expect(stats.maxRunning).toBe(1);
    // 40 ms of work at a duty of 0.5 is followed by about 40 ms of rest before the next task.
    const gaps = stats.starts.slice(1).map((s, i) => s - (stats.starts[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(75);
    expect(rested).toBeGreaterThanOrEqual(70);
    gate.stop();
  });

  it('ends every rest as soon as the burst is over', async () => {
    let rate = 1_000;
    const changes: boolean[] = [];
    const gate = new IntakeYield({ aboveOrdersPerSec: 100, duty: 0.05, checkEveryMs: 60_000, readRate: async () => rate, onChange: (y) => changes.push(y) });
    await gate.check();
    const { stats, task } = tracker();
    // 50 ms of work at 5 % means a rest of 950 ms before the second task.
    const first = gate.run(task(50));
    const second = gate.run(task(10));
    await first;
    await sleep(20);
    rate = 10;
    await gate.check();
    const t0 = performance.now();
    await second;
    expect(performance.now() - t0).toBeLessThan(300);
    expect(changes).toEqual([true, false]);
    expect(stats.starts).toHaveLength(2);
    gate.stop();
  });

  it('never yields when its threshold is 0', async () => {
    const gate = new IntakeYield({ aboveOrdersPerSec: 0, duty: 0.1, checkEveryMs: 10, readRate: async () => 1e9 });
    await gate.check();
    expect(gate.yielding).toBe(false);
    gate.stop();
  });
});
