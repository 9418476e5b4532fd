/**
 * The ids of the ticket workflow's steps, in one file (as workflows/lines/step-ids.ts): a typo is
 * a compile error, and step files need not import each other.
 */
export const TRIAGE = 'triage';
export const APPLY_AT_SUPPLIER = 'apply-at-supplier';
export const AWAIT_SUPPLIER = 'await-supplier';
export const CHECK_CARRIER = 'check-carrier';
export const REQUERY_ISSUANCE = 'requery-issuance';
export const AWAIT_AGENT = 'await-agent';
export const SETTLE = 'settle';
export const SEND_REPLACEMENT = 'send-replacement';
export const AWAIT_REPLACEMENT = 'await-replacement';
