import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHubWithWorker, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHubWithWorker({ HUB_WORKER_YIELD_ABOVE: '20', HUB_INTAKE_LOAD_EVERY_MS: '50', HUB_LOG_LEVEL: 'info' });
});
afterAll(() => hub?.close());

const yielding = async () => /^hub_worker_yielding 1$/m.test(await hub.deps.metrics.registry.getSingleMetricAsString('hub_worker_yielding'));
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('a worker sharing the host with the API', () => {
  it('yields while the API takes orders above its threshold, and goes back to full speed when the burst is over', async () => {
    expect(await yielding()).toBe(false);
    // A burst: the API side counts 300 order requests a second for a while.
    const burst = setInterval(() => {
      for (let i = 0; i < 30; i++) hub.deps.intakeLoad.mark();
    }, 100);
    try {
      expect(await until(yielding, 3_000)).toBe(true);
      expect(hub.logs.text).toContain('order intake burst: worker yields');
    } finally {
      clearInterval(burst);
    }
    // Once the last busy second is behind, the worker stops yielding.
    expect(await until(async () => !(await yielding()), 4_000)).toBe(true);
    expect(hub.logs.text).toContain('order intake burst over: worker at full speed');
  });
});
