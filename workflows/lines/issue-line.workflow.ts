import type { Workflow } from '../engine/types.ts';
import { lineEnd } from './line-end.ts';
import type { LineServices, LineState } from './services.ts';
import { failLineStep } from './steps/fail-line.ts';
import { pickSourceStep } from './steps/pick-source.ts';
import { pollIssuanceStep } from './steps/poll-issuance.ts';
import { submitIssuanceStep } from './steps/submit-issuance.ts';

/** Virtual issuance: choose a provider, submit with a unique order number, poll until issued; fail over on a definite failure. */
export const issueLineWorkflow: Workflow<LineState, LineServices> = {
  id: 'issue-line',
  steps: [pickSourceStep, submitIssuanceStep, pollIssuanceStep, failLineStep],
  ...lineEnd,
};
