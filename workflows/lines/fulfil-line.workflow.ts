import type { Workflow } from '../engine/types.ts';
import { lineEnd } from './line-end.ts';
import type { LineServices, LineState } from './services.ts';
import { awaitShipmentStep } from './steps/await-shipment.ts';
import { confirmOrderStep } from './steps/confirm-order.ts';
import { failLineStep } from './steps/fail-line.ts';
import { pickSourceStep } from './steps/pick-source.ts';
import { submitOrderStep } from './steps/submit-order.ts';

/** Drop-ship: choose a source in stock for the address, submit, confirm (JD), wait for the shipment; fail over on refusal. */
export const fulfilLineWorkflow: Workflow<LineState, LineServices> = {
  id: 'fulfil-line',
  steps: [pickSourceStep, submitOrderStep, confirmOrderStep, awaitShipmentStep, failLineStep],
  ...lineEnd,
};
