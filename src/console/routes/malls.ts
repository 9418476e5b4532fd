import type { CreatedMall, Mall, Page, RotatedKey, RotatedSecret } from '../api-types.ts';
import type { ConsoleApp } from '../env.ts';
import { page } from '../layout.ts';
import { mallPage, mallsPage, secretsPage } from '../pages/malls.ts';
import { after, refusalPage, refused } from '../responses.ts';
import { formNumber, formOf, formText } from './forms.ts';

/*
 * Malls, for admins: list, create, change settings (pricing and catalog selection included, with
 * PATCH /admin/malls/{id}), rotate the API key and the webhook secret. A new key or secret is
 * shown once, on the page answering the POST: never in a URL, never cached.
 */

const list = (v: string | undefined) => (v ? v.split(/[,，]/).map((x) => x.trim()).filter(Boolean) : undefined);
const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function registerMallRoutes(app: ConsoleApp): void {
  app.get('/malls', async (c) => {
    const t = c.get('t');
    const { api, me, csrf } = c.get('signed');
    if (me.role !== 'admin') return page(c, { title: t('malls.title'), status: 403, body: t('error.adminOnly') });
    const r = await api.get<Page<Mall>>('/admin/malls', { cursor: c.req.query('cursor'), limit: 50 });
    if (!r.ok) return refusalPage(c, t('malls.title'), r);
    return page(c, { title: t('malls.title'), active: 'malls', body: mallsPage(t, r.data, csrf) });
  });

  app.post('/malls', async (c) => {
    const t = c.get('t');
    const form = await formOf(c);
    const r = await c.get('signed').api.post<CreatedMall>('/admin/malls', defined({ name: formText(form, 'name'), webhookUrl: formText(form, 'webhookUrl'), pointsPerYuan: formNumber(form, 'pointsPerYuan') }));
    if (!r.ok) return refused(c, '/console/malls', r);
    return page(c, { title: t('mall.title', { name: r.data.mall.name }), active: 'malls', body: secretsPage(t, r.data.mallId, [[t('mall.apiKey'), r.data.apiKey], [t('mall.webhookSecret'), r.data.webhookSecret]]) });
  });

  app.get('/malls/:id', async (c) => {
    const t = c.get('t');
    const { api, me, csrf } = c.get('signed');
    if (me.role !== 'admin') return page(c, { title: t('malls.title'), status: 403, body: t('error.adminOnly') });
    const r = await api.get<Mall>(`/admin/malls/${encodeURIComponent(c.req.param('id'))}`);
    if (!r.ok) return refusalPage(c, t('malls.title'), r);
    return page(c, { title: t('mall.title', { name: r.data.name }), active: 'malls', body: mallPage(t, r.data, csrf) });
  });

  app.post('/malls/:id', async (c) => {
    const id = c.req.param('id');
    const to = `/console/malls/${encodeURIComponent(id)}`;
    const { api } = c.get('signed');
    const all = await c.req.parseBody({ all: true });
    const form = await formOf(c);
    const current = await api.get<Mall>(`/admin/malls/${encodeURIComponent(id)}`);
    if (!current.ok) return refused(c, to, current);
    const kinds = ([] as unknown[]).concat(all.kinds ?? []).filter((k): k is string => typeof k === 'string');
    const body = defined({
      name: formText(form, 'name'),
      webhookUrl: formText(form, 'webhookUrl'),
      pointsPerYuan: formNumber(form, 'pointsPerYuan'),
      status: formText(form, 'status'),
      pricing: defined({ markupBp: formNumber(form, 'markupBp'), step: formNumber(form, 'step'), floorFromPoints: formNumber(form, 'floorFromPoints'), floorMaxCostBp: formNumber(form, 'floorMaxCostBp'), cashShareBp: formNumber(form, 'cashShareBp') }),
      // The selection is replaced whole: keep the excluded SKUs this form does not show.
      catalogSelection: defined({ kinds: kinds.length ? kinds : undefined, categories: list(form.categories), brands: list(form.brands), pointsMin: formNumber(form, 'pointsMin'), pointsMax: formNumber(form, 'pointsMax'), excludedSkuIds: current.data.catalogSelection.excludedSkuIds }),
    });
    const r = await api.patch<Mall>(`/admin/malls/${encodeURIComponent(id)}`, body);
    return r.ok ? after(c, to, { ok: c.get('t')('notice.saved') }) : refused(c, to, r);
  });

  app.post('/malls/:id/rotate-key', async (c) => {
    const t = c.get('t');
    const id = c.req.param('id');
    const form = await formOf(c);
    const r = await c.get('signed').api.post<RotatedKey>(`/admin/malls/${encodeURIComponent(id)}/api-key/rotate`, defined({ graceSeconds: formNumber(form, 'graceSeconds') }));
    if (!r.ok) return refused(c, `/console/malls/${encodeURIComponent(id)}`, r);
    return page(c, { title: t('mall.rotateKey'), active: 'malls', body: secretsPage(t, id, [[t('mall.apiKey'), r.data.apiKey]]) });
  });

  app.post('/malls/:id/rotate-secret', async (c) => {
    const t = c.get('t');
    const id = c.req.param('id');
    const r = await c.get('signed').api.post<RotatedSecret>(`/admin/malls/${encodeURIComponent(id)}/webhook-secret/rotate`);
    if (!r.ok) return refused(c, `/console/malls/${encodeURIComponent(id)}`, r);
    return page(c, { title: t('mall.rotateSecret'), active: 'malls', body: secretsPage(t, id, [[t('mall.webhookSecret'), r.data.webhookSecret]]) });
  });
}
