import type { SupplierHealth } from '../api-types.ts';
import { badge, table } from '../components.ts';
import { dateTime, int, millis, percent, yuan } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';

/** Each supplier account: circuit, error rate and latency over the recent window, last catalog sync, open after-sales, balance. */
export function suppliersPage(t: Translate, items: SupplierHealth[]): JSXNode {
  const rows = items.map((s) => [
    h('strong', null, s.supplierId),
    badge(s.circuit === 'closed' ? 'ok' : s.circuit === 'open' ? 'bad' : 'warn', t(`circuit.${s.circuit}`), { 'data-circuit': s.circuit }),
    badge(s.errorRate >= 0.2 ? 'bad' : s.errorRate >= 0.05 ? 'warn' : 'ok', percent(s.errorRate)),
    `${millis(s.p50Ms)} / ${millis(s.p95Ms)}`,
    `${int(s.calls)} (${int(s.failures)})`,
    s.lastError ? h('span', { title: dateTime(s.lastErrorAt) }, s.lastError) : t('common.none'),
    s.lastSync ? t('sync.status', { status: s.lastSync.status, at: dateTime(s.lastSync.finishedAt ?? s.lastSync.startedAt) }) : t('common.none'),
    String(s.openAfterSales),
    s.balance ? t('common.yuan', { n: yuan(s.balance.fen) }) : t('common.none'),
  ]);
  // The circuit and call figures merge every hub process's (shared through Redis): say how many.
  const processes = Math.max(1, ...items.map((s) => s.processes));
  return table([t('col.supplier'), t('col.circuit'), t('col.errorRate'), t('col.latency'), t('col.calls'), t('col.lastError'), t('col.lastSync'), t('col.openAfterSales'), t('col.balance')], rows, {
    id: 'suppliers',
    caption: t('suppliers.processes', { n: String(processes) }),
  });
}
