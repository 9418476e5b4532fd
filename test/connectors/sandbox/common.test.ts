import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackSender } from '../../../connectors/sandbox/common/callbacks.ts';
import { SandboxClock, Timeline } from '../../../connectors/sandbox/common/clock.ts';
import { Faults } from '../../../connectors/sandbox/common/faults.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';

let received: { body: string; n: number }[] = [];
let failFirst = 0;
let receiver: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  const app = new Hono();
  app.post('/hook', async (c) => {
    const body = await c.req.text();
    if (failFirst > 0) {
      failFirst--;
      return c.text('busy', 503);
    }
    received.push({ body, n: received.length });
    return c.text('success');
  });
  receiver = await serveOnLoopback(app);
});
afterAll(() => receiver.close());

const cb = (body: string) => ({ url: `${receiver.url}/hook`, headers: {}, body: () => body, accepted: (s: number, t: string) => s === 200 && t === 'success' });

describe('Faults', () => {
  it('rolls the same dice for the same seed', () => {
    const a = new Faults();
    const b = new Faults();
    a.set({ seed: 42, errorRate: 0.5 });
    b.set({ seed: 42, errorRate: 0.5 });
    const rolls = (f: Faults) => Array.from({ length: 50 }, () => f.shouldError());
    expect(rolls(a)).toEqual(rolls(b));
  });

  it('fails exactly the next N calls with failNext', () => {
    const f = new Faults();
    f.set({ failNext: 2 });
    expect([f.shouldError(), f.shouldError(), f.shouldError()]).toEqual([true, true, false]);
  });

  it('rejects an invalid fault configuration', () => {
    expect(() => new Faults().set({ errorRate: 2 })).toThrow();
  });
});

describe('CallbackSender', () => {
  it('retries until the receiver accepts', async () => {
    received = [];
    failFirst = 2;
    const faults = new Faults();
    const sender = new CallbackSender(faults, { retryDelayMs: 1 });
    sender.enqueue(cb('a'));
    await sender.flush();
    expect(received.map((r) => r.body)).toEqual(['a']);
    expect(sender.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
  });

  it('duplicates, reorders and drops as configured', async () => {
    received = [];
    const faults = new Faults();
    faults.set({ callbacks: { duplicateRate: 1, reorder: true } });
    const sender = new CallbackSender(faults, { retryDelayMs: 1 });
    sender.enqueue(cb('1'));
    sender.enqueue(cb('2'));
    await sender.flush();
    expect(received.map((r) => r.body).sort()).toEqual(['1', '1', '2', '2']);
    expect(received[0]?.body).toBe('2');
    received = [];
    faults.set({ callbacks: { dropRate: 1 } });
    sender.enqueue(cb('3'));
    await sender.flush();
    expect(received).toEqual([]);
  });
});

describe('SandboxClock and Timeline', () => {
  it('runs what is due, in time order, when the clock advances', async () => {
    const clock = new SandboxClock();
    const timeline = new Timeline();
    const ran: string[] = [];
    clock.onAdvance((now) => timeline.runDue(now).then(() => undefined));
    const t0 = clock.now().getTime();
    timeline.at(new Date(t0 + 2 * 3600_000), () => { ran.push('shipped'); });
    timeline.at(new Date(t0 + 3600_000), () => { ran.push('accepted'); });
    timeline.at(new Date(t0 + 48 * 3600_000), () => { ran.push('delivered'); });
    await clock.advance(3 * 3600_000);
    expect(ran).toEqual(['accepted', 'shipped']);
    await clock.advance(48 * 3600_000);
    expect(ran).toEqual(['accepted', 'shipped', 'delivered']);
    expect(timeline.size).toBe(0);
  });
});
