import { createRoute, z } from '@hono/zod-openapi';
import { answerApproval, staffResolve } from '../../../aftersales/staff-resolution.ts';
import { staffTicketView } from '../../../aftersales/staff-tickets.ts';
import { findTicketForStaff, type TicketRow } from '../../../aftersales/ticket-store.ts';
import { RESOLUTION_ACTIONS } from '../../../domain/aftersales.ts';
import { unauthorized } from '../../../domain/errors.ts';
import { runnerDeps } from '../../../workflow-runner.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { staffSecurity } from '../../schemas.ts';
import { TICKET_ID_EXAMPLE, TicketIdParam } from '../mall/aftersales.ts';
import { ACTION_NOTE, ExpectedVersion, expectedVersionOf, IfMatchHeader, STAFF_EXAMPLE, StaffTicket } from './tickets.ts';

/** Staff settle tickets: resolve with an action (agents and admins), approve or decline a refund above an agent's limit (admins). */

const tags = ['Admin: after-sales'];

const ResolveBody = z
  .object({
    action: z.enum(RESOLUTION_ACTIONS).openapi({ description: '`refund` the units (points and cash back, `refund.required`); `reject` the claim; `return_to_supplier` (an exchange the supplier settled); `reship` goods or `reissue` a virtual benefit: the hub sends them again and resolves the ticket when they ship or issue (a replacement that fails for good is refunded instead)' }),
    units: z.number().int().min(1).max(999).optional().openapi({ description: 'Units it covers (default: the ticket’s); at most the ticket’s, and for a refund at most those paid and not yet refunded', example: 1 }),
    note: z.string().trim().min(1).max(500).optional().openapi({ description: 'Why, as the mall will read it in the resolution', example: '破损属实，退还积分' }),
    supplierId: z.string().trim().min(1).max(64).optional().openapi({ description: '`reship` only: the source to send from (default: the cheapest source with stock)', example: 'jd' }),
    expectedVersion: ExpectedVersion,
  })
  .strict()
  .openapi('ResolveAftersaleTicketRequest');

const Outcome = z.enum(['resolved', 'rejected', 'approval_requested', 'carrying_out']).openapi({
  description: '`resolved`/`rejected`: settled now; `approval_requested`: a refund above the agent’s limit waits for an admin; `carrying_out`: the hub is sending the units again (or reissuing) and resolves the ticket when they ship',
});
const ResolveResponse = z.object({ outcome: Outcome, ticket: StaffTicket }).openapi('ResolveAftersaleTicketResponse');

const RESOLVE_CONFLICT = documentedError(409, {
  description: 'The ticket moved past your version, is final, the hub is already carrying out a decision, or (agents) a refund waits for approval (`conflict`); nothing was written',
  examples: { version: { summary: 'Changed meanwhile', value: { error: { code: 'conflict', message: `after-sales ticket ${TICKET_ID_EXAMPLE} changed meanwhile: it is at version 4, not 3; read it again`, details: { expectedVersion: 3, version: 4 } } } } },
});
const UNFIT = documentedError(422, {
  description: 'The action does not fit the line, or more units than the ticket or the line has left (`not_eligible`); nothing was written',
  examples: { units: { summary: 'Too many units', value: { error: { code: 'not_eligible', message: '2 units to refund, 1 left that were paid and not refunded', details: { reason: 'quantity_exceeded', action: 'refund', asked: 2, left: 1 } } } } },
});

const resolve = createRoute({
  method: 'post',
  path: '/admin/tickets/{ticketId}/resolve',
  operationId: 'resolveAftersaleTicket',
  security: staffSecurity,
  middleware: [requireRole('agent', 'admin')],
  tags,
  summary: 'Resolve a ticket with an action (agents and admins)',
  description: `An agent’s refund above \`HUB_AGENT_REFUND_LIMIT_POINTS\` or \`HUB_AGENT_REFUND_LIMIT_FEN\` is not made: it becomes a request an admin approves (\`approval_requested\`, 202). A reship or reissue is carried out by the ticket’s workflow (202 \`carrying_out\`). ${ACTION_NOTE}`,
  request: { params: TicketIdParam, headers: IfMatchHeader, body: jsonBody(ResolveBody, { action: 'refund', units: 1, note: '破损属实，退还积分', expectedVersion: 3 }) },
  responses: {
    200: jsonResponse('Settled now', ResolveResponse, { outcome: 'resolved', ticket: { ...STAFF_EXAMPLE, status: 'resolved', waitingOn: null, version: 4, resolution: { action: 'refund', units: 1, by: 'staff', refund: { points: 12900, cashFen: 0 }, note: '破损属实，退还积分' } } }),
    202: jsonResponse('Waiting for an admin’s approval, or being carried out', ResolveResponse, { outcome: 'approval_requested', ticket: { ...STAFF_EXAMPLE, waitingOn: 'approval', version: 4, approval: { refund: { points: 50000, cashFen: 9900 }, units: 1, requestedBy: 'cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b', requestedAt: '2026-12-04T05:00:00.000Z' } } }),
    409: RESOLVE_CONFLICT,
    422: UNFIT,
    ...errorResponses(400, 403, 404),
  },
});

const ApprovalBody = z.object({ note: z.string().trim().min(1).max(500).optional().openapi({ example: '已核实，同意退款' }), expectedVersion: ExpectedVersion }).strict().openapi('AftersaleApprovalRequest');
const NO_APPROVAL = documentedError(409, {
  description: 'No refund waits for approval, the ticket moved past your version, or it is final (`conflict`)',
  examples: { none: { summary: 'Nothing to approve', value: { error: { code: 'conflict', message: `after-sales ticket ${TICKET_ID_EXAMPLE} has no refund waiting for approval`, details: { reason: 'no_approval_pending', action: 'refund' } } } } },
});
const approvalRoute = (answer: 'approve' | 'decline') =>
  createRoute({
    method: 'post',
    path: `/admin/tickets/{ticketId}/${answer}`,
    operationId: answer === 'approve' ? 'approveAftersaleRefund' : 'declineAftersaleRefund',
    security: staffSecurity,
    middleware: [requireRole('admin')],
    tags,
    summary: answer === 'approve' ? 'Approve a refund an agent asked above their limit (admins only)' : 'Decline a refund an agent asked above their limit (admins only)',
    description: answer === 'approve'
      ? 'Makes the refund (ledger, `refund.required`) and resolves the ticket, in one transaction; audited as `ticket.approve`. An agent gets 403.'
      : 'The ticket goes back to the agents (`waitingOn: agent`) with an internal note; audited as `ticket.decline`. An agent gets 403.',
    request: { params: TicketIdParam, headers: IfMatchHeader, body: jsonBody(ApprovalBody, { note: '已核实，同意退款', expectedVersion: 4 }) },
    responses: {
      200: jsonResponse('The ticket after the answer', StaffTicket, answer === 'approve' ? { ...STAFF_EXAMPLE, status: 'resolved', waitingOn: null, version: 5 } : { ...STAFF_EXAMPLE, waitingOn: 'agent', version: 5 }),
      409: NO_APPROVAL,
      ...errorResponses(400, 403, 404),
    },
  });

/** POST /admin/tickets/{ticketId}/resolve, …/approve, …/decline */
export function registerTicketResolutionRoutes(app: HubApp): void {
  const deps = (c: Parameters<Parameters<typeof app.openapi>[1]>[0]) => {
    const d = c.get('deps');
    return { em: c.get('em'), clock: d.clock, limits: d.config.aftersale.agentRefundLimit, scheduleRun: runnerDeps({ ...d }).schedule };
  };
  const view = async (c: Parameters<Parameters<typeof app.openapi>[1]>[0], ticketId: string) => staffTicketView((await findTicketForStaff(c.get('em'), ticketId)) as TicketRow, c.get('deps').clock.now());

  app.openapi(resolve, async (c) => {
    const p = c.get('principal');
    if (p?.kind !== 'staff') throw unauthorized();
    const { expectedVersion, ...r } = c.req.valid('json');
    const ticketId = c.req.valid('param').ticketId;
    const out = await staffResolve(deps(c), ticketId, { ...auditContext(c), role: p.role }, r, expectedVersionOf(expectedVersion, c.req.valid('header')['if-match']));
    c.get('deps').committedJobs.dispatch(out.jobs);
    const ticket = await view(c, ticketId);
    return out.outcome === 'resolved' || out.outcome === 'rejected' ? c.json({ outcome: out.outcome, ticket }, 200) : c.json({ outcome: out.outcome, ticket }, 202);
  });
  for (const answer of ['approve', 'decline'] as const) {
    app.openapi(approvalRoute(answer), async (c) => {
      const b = c.req.valid('json');
      const ticketId = c.req.valid('param').ticketId;
      await answerApproval(deps(c), ticketId, auditContext(c), { approve: answer === 'approve', note: b.note }, expectedVersionOf(b.expectedVersion, c.req.valid('header')['if-match']));
      return c.json(await view(c, ticketId), 200);
    });
  }
}
