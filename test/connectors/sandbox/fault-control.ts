import { expect } from 'vitest';
import type { InjectedCounts } from '../../../connectors/sandbox/common/faults.ts';

/**
 * The sandbox control API as an operator (or the chaos run) uses it: `PUT {base}/sandbox/faults`
 * replaces the faults in force (`{}` clears them), `GET {base}/sandbox/faults/injected` counts what
 * fired. `base` is the supplier's root (a test's own server, or `/{id}` on the sandbox host).
 */
export async function putFaults(base: string, faults: object): Promise<void> {
  const res = await fetch(`${base}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  expect(res.status).toBe(200);
}

export async function injectedFaults(base: string): Promise<InjectedCounts> {
  return (await (await fetch(`${base}/sandbox/faults/injected`)).json()) as InjectedCounts;
}
