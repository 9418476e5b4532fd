import type { AuditEntry, DeadLetter, Mall, Page, SupplierHealth, WebhookDelivery, WebhookHealth } from '../api-types.ts';
import type { ConsoleApp } from '../env.ts';
import { page } from '../layout.ts';
import { auditPage, type AuditFilters } from '../pages/audit.ts';
import { deadLettersPage } from '../pages/dead-letters.ts';
import { suppliersPage } from '../pages/suppliers.ts';
import { type DeliveryFilters, webhooksPage } from '../pages/webhooks.ts';
import { after, refusalPage, refused } from '../responses.ts';
import { formOf, formText } from './forms.ts';

/*
 * The operator's pages: supplier health, dead letters (replay, abort), webhook deliveries (replay,
 * a mall's endpoint: health, re-enable, replay what failed) and the audit log. Admin-only actions
 * are offered to admins; the API decides in any case.
 */

const back = (c: { req: { header: (n: string) => string | undefined } }, fallback: string) => {
  const ref = c.req.header('referer');
  try {
    const u = ref ? new URL(ref) : null;
    return u && u.pathname.startsWith('/console/') ? u.pathname + u.search : fallback;
  } catch {
    return fallback;
  }
};

export function registerOperationRoutes(app: ConsoleApp): void {
  app.get('/suppliers', async (c) => {
    const t = c.get('t');
    const r = await c.get('signed').api.get<{ items: SupplierHealth[] }>('/admin/suppliers');
    if (!r.ok) return refusalPage(c, t('suppliers.title'), r);
    return page(c, { title: t('suppliers.title'), active: 'suppliers', body: suppliersPage(t, r.data.items) });
  });

  app.get('/dead-letters', async (c) => {
    const { api, me, csrf } = c.get('signed');
    const t = c.get('t');
    const q = c.req.query();
    const r = await api.get<Page<DeadLetter>>('/admin/dead-letters', { mallId: q.mallId, cursor: q.cursor, limit: 50 });
    if (!r.ok) return refusalPage(c, t('deadLetters.title'), r);
    return page(c, { title: t('deadLetters.title'), active: 'deadLetters', body: deadLettersPage(t, r.data, me, csrf, q.mallId) });
  });

  app.post('/dead-letters/:runId/replay', async (c) => {
    const id = c.req.param('runId');
    const r = await c.get('signed').api.post(`/admin/dead-letters/${encodeURIComponent(id)}/replay`);
    return r.ok ? after(c, '/console/dead-letters', { ok: c.get('t')('notice.replayed', { id }) }) : refused(c, '/console/dead-letters', r);
  });

  app.post('/dead-letters/:runId/abort', async (c) => {
    const id = c.req.param('runId');
    const form = await formOf(c);
    const r = await c.get('signed').api.post(`/admin/dead-letters/${encodeURIComponent(id)}/abort`, { reason: formText(form, 'reason') });
    return r.ok ? after(c, '/console/dead-letters', { ok: c.get('t')('notice.aborted', { id }) }) : refused(c, '/console/dead-letters', r);
  });

  app.get('/webhooks', async (c) => {
    const { api, me, csrf } = c.get('signed');
    const t = c.get('t');
    const q = c.req.query() as DeliveryFilters & { cursor?: string };
    const [malls, list, health] = await Promise.all([
      api.get<Page<Mall>>('/admin/malls', { limit: 200 }),
      api.get<Page<WebhookDelivery>>('/admin/webhook-deliveries', { mallId: q.mallId, status: q.status, orderId: q.orderId, cursor: q.cursor, limit: 50 }),
      q.mallId ? api.get<WebhookHealth>(`/admin/malls/${encodeURIComponent(q.mallId)}/webhook-health`) : null,
    ]);
    if (!list.ok) return refusalPage(c, t('webhooks.title'), list);
    const filters: DeliveryFilters = { mallId: q.mallId, status: q.status, orderId: q.orderId };
    return page(c, { title: t('webhooks.title'), active: 'webhooks', body: webhooksPage(t, filters, malls.ok ? malls.data.items : [], list.data, health?.ok ? health.data : null, me, csrf) });
  });

  app.post('/webhooks/:id/replay', async (c) => {
    const to = back(c, '/console/webhooks');
    const r = await c.get('signed').api.post(`/admin/webhook-deliveries/${encodeURIComponent(c.req.param('id'))}/replay`);
    return r.ok ? after(c, to, { ok: c.get('t')('notice.deliveryReplayed') }) : refused(c, to, r);
  });

  app.post('/malls/:mallId/webhook/enable', async (c) => {
    const mallId = c.req.param('mallId');
    const to = `/console/webhooks?mallId=${encodeURIComponent(mallId)}`;
    const r = await c.get('signed').api.post<{ queued: number }>(`/admin/malls/${encodeURIComponent(mallId)}/webhook/enable`);
    return r.ok ? after(c, to, { ok: c.get('t')('notice.enabled', { n: r.data.queued }) }) : refused(c, to, r);
  });

  app.post('/malls/:mallId/webhook/replay-failed', async (c) => {
    const mallId = c.req.param('mallId');
    const to = `/console/webhooks?mallId=${encodeURIComponent(mallId)}`;
    const r = await c.get('signed').api.post<{ queued: number }>(`/admin/malls/${encodeURIComponent(mallId)}/webhook-deliveries/replay-failed`);
    return r.ok ? after(c, to, { ok: c.get('t')('notice.replayQueued', { n: r.data.queued }) }) : refused(c, to, r);
  });

  app.get('/audit', async (c) => {
    const t = c.get('t');
    const q = c.req.query() as AuditFilters & { cursor?: string };
    const filters: AuditFilters = { actorId: q.actorId, resourceType: q.resourceType, resourceId: q.resourceId, mallId: q.mallId };
    const r = await c.get('signed').api.get<Page<AuditEntry>>('/admin/audit', { ...filters, cursor: q.cursor, limit: 50 });
    if (!r.ok) return refusalPage(c, t('audit.title'), r);
    return page(c, { title: t('audit.title'), active: 'audit', body: auditPage(t, filters, r.data) });
  });
}
