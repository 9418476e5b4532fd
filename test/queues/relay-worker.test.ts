import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeBound } from '../../src/persistence/bound-query.ts';
import { startTestHubWithWorker, type TestHub } from '../support/hub.ts';

// The relay's usual minimum age (5 s) leaves rows to the API that wrote them; with
// HUB_JOB_DISPATCH=relay nobody else will move them, so the worker takes them at once.
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHubWithWorker({ HUB_JOB_DISPATCH: 'relay', HUB_OUTBOX_RELAY_EVERY_MS: '50', HUB_OUTBOX_RELAY_MIN_AGE_MS: '60000' });
});
afterAll(() => hub?.close());

describe('a worker relaying for an API that leaves committed jobs to it', () => {
  it('moves fresh outbox rows to the queues within its relay interval, ignoring the minimum age', async () => {
    const em = hub.deps.orm.em.fork();
    // Runs that do not exist: the worker skips their jobs, this test is about the relay.
    await executeBound(em, "insert into job_outbox (queue, job_id, payload) select 'workflow', 'fresh-' || i, jsonb_build_object('runId', 'fresh-' || i) from generate_series(1, 3) i", []);
    const pending = async () => (await executeBound<{ n: number }>(em, 'select count(*)::int n from job_outbox where dispatched_at is null', []))[0]?.n;
    const deadline = Date.now() + 3_000;
    while ((await pending()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await pending()).toBe(0);
  });
});
