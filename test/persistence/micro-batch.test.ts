import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../src/persistence/micro-batch.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('MicroBatcher', () => {
  it('runs a lone call at once, and gathers calls that arrive while batches are in flight', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>(async (xs) => {
      batches.push(xs);
      await tick();
      return xs.map((x) => x * 2);
    }, { maxBatch: 10, maxInFlight: 1 });
    expect(await b.call(1)).toBe(2);
    expect(batches).toEqual([[1]]);
    await tick();
    const out = await Promise.all(Array.from({ length: 25 }, (_, i) => b.call(i)));
    expect(out).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
    // The first call left alone; the others queued behind it and left in batches of at most 10.
    expect(batches.slice(1).map((x) => x.length)).toEqual([1, 10, 10, 4]);
  });

  it('keeps at most maxInFlight batches running', async () => {
    let running = 0;
    let peak = 0;
    const b = new MicroBatcher<number, number>(async (xs) => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
      return xs;
    }, { maxBatch: 2, maxInFlight: 3 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => b.call(i)));
    expect(peak).toBe(3);
  });

  it('fails only the caller whose item fails a batch, after running the others alone', async () => {
    const b = new MicroBatcher<number, number>(async (xs) => {
      await tick();
      if (xs.includes(3)) throw new Error('unique violation on 3');
      return xs;
    }, { maxBatch: 10, maxInFlight: 1 });
    const first = b.call(0);
    const rest = [1, 2, 3, 4].map((x) => b.call(x).then((v) => ({ ok: v }), (e: Error) => ({ err: e.message })));
    await first;
    expect(await Promise.all(rest)).toEqual([{ ok: 1 }, { ok: 2 }, { err: 'unique violation on 3' }, { ok: 4 }]);
  });

  it('rejects a batch that answers the wrong number of results', async () => {
    const b = new MicroBatcher<number, number>(async () => [], { maxBatch: 10, maxInFlight: 1 });
    await expect(b.call(1)).rejects.toThrow(/batch of 1 returned 0 results/);
  });
});
