/**
 * The ids of the line workflows' steps, in one file: each step names its successors by these
 * constants (a typo is a compile error, not a run stuck at an unknown step), and step files
 * importing each other's ids would make a circle of imports.
 */
export const PICK_SOURCE = 'pick-source';
export const SUBMIT_ORDER = 'submit-order';
export const CONFIRM_ORDER = 'confirm-order';
export const AWAIT_SHIPMENT = 'await-shipment';
export const SUBMIT_ISSUANCE = 'submit-issuance';
export const POLL_ISSUANCE = 'poll-issuance';
export const FAIL_LINE = 'fail-line';
