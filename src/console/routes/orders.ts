import type { Mall, Order, OrderSummary, Page, RefundResult } from '../api-types.ts';
import type { ConsoleApp } from '../env.ts';
import { int, yuan } from '../format.ts';
import { page } from '../layout.ts';
import { orderPage, orderSearch, SEARCH_FIELDS, type SearchField } from '../pages/order.ts';
import { after, refusalPage, refused } from '../responses.ts';
import { itemTitles } from '../titles.ts';
import { formNumber, formOf, formText } from './forms.ts';

/*
 * Order search and one order with what staff do to its lines: retry, reroute, cancel, refund
 * (/admin/orders/{id}/actions/*). An agent's refund above the limit is refused by the API (403):
 * the page says an admin must make it.
 */

const orderPath = (id: string) => `/console/orders/${encodeURIComponent(id)}`;

export function registerOrderRoutes(app: ConsoleApp): void {
  app.get('/orders', async (c) => {
    const { api } = c.get('signed');
    const t = c.get('t');
    const q = c.req.query();
    const by = (SEARCH_FIELDS as readonly string[]).includes(q.by ?? '') ? (q.by as SearchField) : 'mallOrderId';
    const malls = await api.get<Page<Mall>>('/admin/malls', { limit: 200 });
    let result: Page<OrderSummary> | null = null;
    if (q.q?.trim()) {
      const r = await api.get<Page<OrderSummary>>('/admin/orders', { [by]: q.q.trim(), mallId: q.mallId, cursor: q.cursor, limit: 50 });
      if (!r.ok) return refusalPage(c, t('orders.title'), r);
      result = r.data;
    }
    return page(c, { title: t('orders.title'), active: 'orders', body: orderSearch(t, { by, q: q.q, mallId: q.mallId }, malls.ok ? malls.data.items : [], result) });
  });

  app.get('/orders/:id', async (c) => {
    const { api, me, csrf } = c.get('signed');
    const t = c.get('t');
    const id = c.req.param('id');
    const order = await api.get<Order>(`/admin/orders/${encodeURIComponent(id)}`);
    if (!order.ok) return refusalPage(c, t('order.title', { id }), order);
    const titles = await itemTitles(api, order.data.lines.map((l) => l.skuId));
    return page(c, { title: t('order.title', { id }), active: 'orders', body: orderPage(t, order.data, titles, me, csrf) });
  });

  app.post('/orders/:id/retry', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const r = await c.get('signed').api.post(`/admin/orders/${encodeURIComponent(id)}/actions/retry`, { lineId: formText(form, 'lineId') });
    return r.ok ? after(c, orderPath(id), { ok: c.get('t')('notice.retried', { line: form.lineId ?? '' }) }) : refused(c, orderPath(id), r);
  });

  app.post('/orders/:id/reroute', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const r = await c.get('signed').api.post(`/admin/orders/${encodeURIComponent(id)}/actions/reroute`, { lineId: formText(form, 'lineId'), supplierId: formText(form, 'supplierId'), reason: formText(form, 'reason') });
    return r.ok ? after(c, orderPath(id), { ok: c.get('t')('notice.rerouted', { line: form.lineId ?? '' }) }) : refused(c, orderPath(id), r);
  });

  app.post('/orders/:id/cancel', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const lineId = formText(form, 'lineId');
    const r = await c.get('signed').api.post(`/admin/orders/${encodeURIComponent(id)}/actions/cancel`, { lineIds: lineId ? [lineId] : undefined, reason: formText(form, 'reason') });
    return r.ok ? after(c, orderPath(id), { ok: c.get('t')('notice.cancelled') }) : refused(c, orderPath(id), r);
  });

  app.post('/orders/:id/refund', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const requestId = /^[0-9a-f-]{36}$/.test(form.requestId ?? '') ? form.requestId : undefined;
    const r = await c.get('signed').api.post<RefundResult>(`/admin/orders/${encodeURIComponent(id)}/actions/refund`, { lineId: formText(form, 'lineId'), units: formNumber(form, 'units'), reason: formText(form, 'reason') }, { requestId });
    if (!r.ok) return refused(c, orderPath(id), r);
    return after(c, orderPath(id), { ok: c.get('t')('notice.refunded', { line: r.data.lineId, units: r.data.units, points: int(r.data.points), cash: yuan(r.data.cashFen) }) });
  });
}
