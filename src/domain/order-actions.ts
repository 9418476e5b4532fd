/**
 * What staff actions on an order (POST /admin/orders/{orderId}/actions/…, issue 19) answer with:
 * the closed lists the API's enums and error details are built from.
 */

/** A workflow run's statuses (the `workflow_run.status` check of migration 0013), as a staff view or a refused retry reports them. */
export const RUN_STATUSES = ['pending', 'running', 'waiting', 'compensating', 'succeeded', 'failed', 'dead', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Why a staff action on a line was refused (422 `not_eligible`, `details.reason`): the line's
 * status does not allow it, more units than paid and not refunded, a named source that cannot sell
 * the item, no source left to reroute to.
 */
export const ORDER_ACTION_REFUSALS = ['line_status', 'quantity_exceeded', 'source_cannot_sell', 'no_other_source'] as const;
export type OrderActionRefusal = (typeof ORDER_ACTION_REFUSALS)[number];
