import type { Context } from 'hono';
import type { Mall, Order, Page, ResolveAnswer, Ticket, TicketDetail } from '../api-types.ts';
import type { ConsoleApp, ConsoleEnv, ConsoleOptions } from '../env.ts';
import { page } from '../layout.ts';
import { ticketPage } from '../pages/ticket.ts';
import { type QueueFilters, ticketQueue } from '../pages/tickets.ts';
import { after, refusalPage, refused } from '../responses.ts';
import { itemTitles } from '../titles.ts';
import { formNumber, formOf, formText } from './forms.ts';

/*
 * The ticket queue and one ticket, with what staff do to it: assign, comment, resolve (reship,
 * refund by unit, return to supplier, reject), and for admins approve or decline a refund an agent
 * asked above their limit. Each action is one admin API call with the version the page was drawn
 * from, so a change made meanwhile is refused (409) rather than overwritten.
 */

const ticketPath = (id: string) => `/console/tickets/${encodeURIComponent(id)}`;

export function registerTicketRoutes(app: ConsoleApp, opts: ConsoleOptions): void {
  app.get('/tickets', async (c) => {
    const { api, me } = c.get('signed');
    const t = c.get('t');
    const q = c.req.query() as QueueFilters;
    const [malls, list] = await Promise.all([
      api.get<Page<Mall>>('/admin/malls', { limit: 200 }),
      api.get<Page<Ticket>>('/admin/tickets', {
        status: q.status,
        type: q.type,
        mallId: q.mallId,
        assignee: q.mine === '1' ? me.name : q.assignee,
        overdue: q.overdue === '1' ? 'true' : undefined,
        cursor: q.cursor,
        limit: 50,
      }),
    ]);
    if (!list.ok) return refusalPage(c, t('tickets.title'), list);
    return page(c, { title: t('tickets.title'), active: 'tickets', body: ticketQueue(t, q, malls.ok ? malls.data.items : [], list.data, opts.now()) });
  });

  app.get('/tickets/:id', async (c) => {
    const { api, me, csrf } = c.get('signed');
    const t = c.get('t');
    const id = c.req.param('id');
    const ticket = await api.get<TicketDetail>(`/admin/tickets/${encodeURIComponent(id)}`);
    if (!ticket.ok) return refusalPage(c, t('ticket.title', { id }), ticket);
    const [order, titles] = await Promise.all([api.get<Order>(`/admin/orders/${encodeURIComponent(ticket.data.orderId)}`), itemTitles(api, ticket.data.order.lines.map((l) => l.skuId))]);
    return page(c, { title: t('ticket.title', { id }), active: 'tickets', body: ticketPage(t, ticket.data, order.ok ? order.data : null, titles, me, csrf, opts.now()) });
  });

  app.post('/tickets/:id/assign', async (c) => {
    const { api, me } = c.get('signed');
    const id = c.req.param('id');
    const form = await formOf(c);
    const assignee = form.toMe === '1' ? me.name : formText(form, 'assignee');
    const r = await api.post<Ticket>(`/admin/tickets/${encodeURIComponent(id)}/assign`, { assignee, expectedVersion: formNumber(form, 'expectedVersion') });
    return r.ok ? after(c, ticketPath(id), { ok: c.get('t')('notice.assigned', { name: assignee ?? '' }) }) : refused(c, ticketPath(id), r);
  });

  app.post('/tickets/:id/comment', async (c) => {
    const { api } = c.get('signed');
    const id = c.req.param('id');
    const form = await formOf(c);
    const r = await api.post<Ticket>(`/admin/tickets/${encodeURIComponent(id)}/comment`, { text: formText(form, 'text'), visibleToMall: form.visibleToMall === '1', expectedVersion: formNumber(form, 'expectedVersion') });
    return r.ok ? after(c, ticketPath(id), { ok: c.get('t')('notice.commented') }) : refused(c, ticketPath(id), r);
  });

  app.post('/tickets/:id/resolve', async (c) => resolve(c));

  for (const decision of ['approve', 'decline'] as const) {
    app.post(`/tickets/:id/${decision}`, async (c) => {
      const { api } = c.get('signed');
      const id = c.req.param('id');
      const form = await formOf(c);
      const r = await api.post<Ticket>(`/admin/tickets/${encodeURIComponent(id)}/${decision}`, { note: formText(form, 'note'), expectedVersion: formNumber(form, 'expectedVersion') });
      return r.ok ? after(c, ticketPath(id), { ok: c.get('t')(decision === 'approve' ? 'notice.approved' : 'notice.declined') }) : refused(c, ticketPath(id), r);
    });
  }
}

/** POST …/resolve: settled now (resolved, rejected), carried out by the hub (a reship or reissue, resolved when it ships), or an agent's refund above the limit, now waiting for an admin. */
async function resolve(c: Context<ConsoleEnv>): Promise<Response> {
  const { api } = c.get('signed');
  const t = c.get('t');
  const id = c.req.param('id') as string;
  const form = await formOf(c);
  const action = formText(form, 'action');
  const body = {
    action,
    units: formNumber(form, 'units'),
    note: formText(form, 'note'),
    supplierId: action === 'reship' ? formText(form, 'supplierId') : undefined,
    expectedVersion: formNumber(form, 'expectedVersion'),
  };
  const r = await api.post<ResolveAnswer>(`/admin/tickets/${encodeURIComponent(id)}/resolve`, body);
  if (!r.ok) return refused(c, ticketPath(id), r);
  if (r.data.outcome === 'approval_requested') return after(c, ticketPath(id), { warn: t('notice.approvalRequested') });
  const label = action === 'refund' || action === 'reship' || action === 'reissue' || action === 'return_to_supplier' || action === 'reject' ? t(`action.${action}`) : String(action);
  if (r.data.outcome === 'carrying_out') return after(c, ticketPath(id), { ok: t('notice.carryingOut', { action: label }) });
  return after(c, ticketPath(id), { ok: t('notice.resolved', { action: label }) });
}
