import type { ChaosDb } from './database.ts';
import { say, sleep } from './progress.ts';

/** What is still on its way, and counters that move whenever the hub does anything. */
export type Pulse = Record<'openLines' | 'undelivered' | 'unpublished' | 'delivered' | 'trackingEvents' | 'inboundEvents' | 'attempts' | 'shipments', number>;

async function pulse(db: ChaosDb): Promise<Pulse> {
  const [r] = await db.rows<Record<string, string>>(
    `select (select count(*) from order_line where status not in ('delivered', 'issued', 'returned', 'cancelled', 'failed', 'refunded')) as "openLines",
            (select count(*) from webhook_delivery where status <> 'delivered') as undelivered,
            (select count(*) from mall_event where published_at is null) as unpublished,
            (select count(*) from webhook_delivery where status = 'delivered') as delivered,
            (select count(*) from shipment) as shipments,
            (select count(*) from tracking_event) as "trackingEvents",
            (select count(*) from inbound_event) as "inboundEvents",
            (select count(*) from line_attempt) as attempts`,
  );
  return Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, Number(v)])) as Pulse;
}

/**
 * Waits, with every fault off, until the hub has nothing left to do (every line terminal, every
 * event delivered), or nothing moved for `stallMs` (what is left will not finish by itself), or
 * `deadlineMs` passed. Prints what it waits for every 10 s.
 */
export async function settle(db: ChaosDb, deadlineMs: number, stallMs: number): Promise<{ outcome: 'settled' | 'stalled' | 'deadline'; last: Pulse }> {
  const until = Date.now() + deadlineMs;
  let last: Pulse | undefined;
  let lastChange = Date.now();
  let lastSaid = 0;
  for (;;) {
    let now: Pulse;
    try {
      now = await pulse(db);
    } catch (err) {
      say('settle', `cannot read the hub's tables yet: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(2000);
      continue;
    }
    // Progress, not activity: a poll that learns nothing adds a workflow step and a failing
    // webhook adds attempts forever, so neither counts; a line, a delivery, a tracking scan, a
    // supplier event or a new attempt at a source does.
    const moving = ['openLines', 'undelivered', 'delivered', 'trackingEvents', 'inboundEvents', 'attempts', 'shipments'] as const;
    if (!last || moving.some((k) => now[k] !== last?.[k])) lastChange = Date.now();
    last = now;
    if (now.openLines === 0 && now.undelivered === 0 && now.unpublished === 0) return { outcome: 'settled', last: now };
    if (Date.now() - lastSaid >= 10_000) {
      lastSaid = Date.now();
      say('settle', `waiting for ${now.openLines} lines still in progress, ${now.undelivered} webhook deliveries not delivered, ${now.unpublished} events not dispatched (quiet for ${Math.round((Date.now() - lastChange) / 1000)} s)`);
    }
    if (Date.now() - lastChange >= stallMs) return { outcome: 'stalled', last: now };
    if (Date.now() >= until) return { outcome: 'deadline', last: now };
    await sleep(2000);
  }
}
