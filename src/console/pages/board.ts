import type { Board, Mall } from '../api-types.ts';
import { field, input, section, select, table } from '../components.ts';
import { dateOnly, dateTime, int, millis, percent, yuan } from '../format.ts';
import { type Child, h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';
import { BOARD_BUCKETS } from '../../domain/board.ts';

export interface BoardFilters {
  mallId?: string;
  from?: string;
  to?: string;
  bucket?: string;
}

/**
 * A figure with the API's raw value beside what is shown (`data-metric`, `data-value`), so a test
 * or a curious agent can hold the page against GET /admin/board.
 */
const metric = (name: string, value: number | null | undefined, shown: string): JSXNode => h('span', { 'data-metric': name, 'data-value': value ?? '' }, shown);

/**
 * A chart drawn by console.js with uPlot from `data-chart` (the x values: each bucket's start in
 * seconds, then one series per label). The same numbers are in the table after it.
 */
function chart(id: string, title: string, x: number[], series: { label: string; values: number[] }[]): JSXNode {
  return h('div', { class: 'chart' }, h('div', { class: 'chart-canvas', id, 'data-chart': JSON.stringify({ x, series }), role: 'img', 'aria-label': title }));
}

function counts(t: Translate, id: string, rows: { label: string; count: number; extra?: Child }[], header: string[]): JSXNode {
  return table(header, rows.map((r, i) => [r.label, metric(`${id}.${i}.count`, r.count, int(r.count)), ...(r.extra === undefined ? [] : [r.extra])]), { id, empty: t('common.none') });
}

/** The data board: totals, points and lines per bucket (charts and tables), times to ship and issue, reasons, top items, shares, after-sales and cost ratio. */
export function boardPage(t: Translate, q: BoardFilters, malls: Mall[], board: Board | null, note: string | null): JSXNode {
  const filters = h(
    'form',
    { method: 'get', action: '/console/board', class: 'filters', role: 'search' },
    field(t('col.mall'), select('mallId', malls.map((m) => [m.mallId, m.name]), q.mallId, { any: t('common.any') })),
    field(t('board.from'), input({ type: 'date', name: 'from', value: q.from ?? '' })),
    field(t('board.to'), input({ type: 'date', name: 'to', value: q.to ?? '' })),
    field(t('board.bucket'), select('bucket', BOARD_BUCKETS.map((b) => [b, t(`bucket.${b}`)]), q.bucket ?? 'day')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('common.filter'))),
  );
  if (!board) return h('div', null, filters, h('p', { class: 'notice notice-warn', role: 'status', 'data-board': 'unavailable' }, note ?? t('board.unavailable')));
  const tt = board.totals;
  const totals = table(
    [t('board.orders'), t('board.lines'), t('board.linesAccepted'), t('board.linesSucceeded'), t('board.successRate'), t('board.pointsRedeemed'), t('board.pointsRefunded'), t('board.cash')],
    [[
      metric('totals.orders', tt.orders, int(tt.orders)),
      metric('totals.lines', tt.lines, int(tt.lines)),
      metric('totals.linesAccepted', tt.linesAccepted, int(tt.linesAccepted)),
      metric('totals.linesSucceeded', tt.linesSucceeded, int(tt.linesSucceeded)),
      metric('totals.successRate', tt.successRate, percent(tt.successRate)),
      metric('totals.pointsRedeemed', tt.pointsRedeemed, int(tt.pointsRedeemed)),
      metric('totals.pointsRefunded', tt.pointsRefunded, int(tt.pointsRefunded)),
      metric('totals.cashFen', tt.cashFen, yuan(tt.cashFen)),
    ]],
    { id: 'board-totals' },
  );
  const x = board.buckets.map((b) => Math.floor(new Date(b.start).getTime() / 1000));
  const bucketRows = board.buckets.map((b, i) => [
    dateTime(b.start),
    metric(`buckets.${i}.orders`, b.orders, int(b.orders)),
    metric(`buckets.${i}.lines`, b.lines, int(b.lines)),
    metric(`buckets.${i}.linesSucceeded`, b.linesSucceeded, int(b.linesSucceeded)),
    metric(`buckets.${i}.pointsRedeemed`, b.pointsRedeemed, int(b.pointsRedeemed)),
    metric(`buckets.${i}.pointsRefunded`, b.pointsRefunded, int(b.pointsRefunded)),
  ]);
  const times = (name: 'timeToShip' | 'timeToIssue') => {
    const v = board[name];
    return [t(name === 'timeToShip' ? 'board.timeToShip' : 'board.timeToIssue'), metric(`${name}.p50Ms`, v.p50Ms, millis(v.p50Ms)), metric(`${name}.p90Ms`, v.p90Ms, millis(v.p90Ms)), metric(`${name}.count`, v.count, int(v.count))];
  };
  const items = (id: string, list: Board['topItems']['byPoints']) =>
    table([t('col.item'), t('col.sku'), t('board.redemptions'), t('board.pointsRedeemed')], list.map((it, i) => [h('span', { class: 'item-title' }, it.title), h('span', { class: 'mono' }, it.skuId), metric(`${id}.${i}.redemptions`, it.redemptions, int(it.redemptions)), metric(`${id}.${i}.points`, it.points, int(it.points))]), { id, empty: t('common.none') });
  const period = h('p', { class: 'muted' }, t('board.period', { from: dateOnly(board.period.from), to: dateTime(board.period.to) }), board.asOf ? ` · ${t('board.asOf', { at: dateTime(board.asOf) })}` : '');
  return h(
    'div',
    null,
    filters,
    period,
    section(t('board.totals'), totals),
    h(
      'div',
      { class: 'columns' },
      section(t('board.chartPoints'), chart('chart-points', t('board.chartPoints'), x, [{ label: t('board.redeemed'), values: board.buckets.map((b) => b.pointsRedeemed) }, { label: t('board.refunded'), values: board.buckets.map((b) => b.pointsRefunded) }])),
      section(t('board.chartLines'), chart('chart-lines', t('board.chartLines'), x, [{ label: t('board.linesSeries'), values: board.buckets.map((b) => b.lines) }, { label: t('board.succeededSeries'), values: board.buckets.map((b) => b.linesSucceeded) }])),
    ),
    section(t('board.bucketStart'), table([t('board.bucketStart'), t('board.orders'), t('board.lines'), t('board.linesSucceeded'), t('board.pointsRedeemed'), t('board.pointsRefunded')], bucketRows, { id: 'board-buckets', className: 'grid compact' })),
    section(`${t('board.timeToShip')} / ${t('board.timeToIssue')}`, table(['', t('board.p50'), t('board.p90'), t('board.count')], [times('timeToShip'), times('timeToIssue')], { id: 'board-times' })),
    h(
      'div',
      { class: 'columns' },
      section(t('board.failureReasons'), counts(t, 'failureReasons', board.failureReasons.map((r) => ({ label: r.reason, count: r.count })), [t('board.reason'), t('board.count')])),
      section(t('board.refundReasons'), counts(t, 'refundReasons', board.refundReasons.map((r) => ({ label: r.reason, count: r.count })), [t('board.reason'), t('board.count')])),
    ),
    h('div', { class: 'columns' }, section(t('board.topByRedemptions'), items('topItems.byRedemptions', board.topItems.byRedemptions)), section(t('board.topByPoints'), items('topItems.byPoints', board.topItems.byPoints))),
    h(
      'div',
      { class: 'columns' },
      section(t('board.kindShares'), table([t('col.itemKind'), t('board.lines'), t('board.share')], board.kindShares.map((k, i) => [t(`kind.${k.kind}`), metric(`kindShares.${i}.lines`, k.lines, int(k.lines)), metric(`kindShares.${i}.share`, k.share, percent(k.share))]), { id: 'board-kinds', empty: t('common.none') })),
      section(t('board.afterSalesByType'), table([t('col.type'), t('board.tickets'), t('board.rate')], board.afterSales.byType.map((a, i) => [t(`ticketType.${a.type}`), metric(`afterSales.byType.${i}.tickets`, a.tickets, int(a.tickets)), metric(`afterSales.byType.${i}.rate`, a.rate, percent(a.rate))]), { id: 'board-aftersales-type', empty: t('common.none') })),
      section(t('board.afterSalesBySupplier'), table([t('col.supplier'), t('board.tickets'), t('board.rate')], board.afterSales.bySupplier.map((a, i) => [a.supplierId, metric(`afterSales.bySupplier.${i}.tickets`, a.tickets, int(a.tickets)), metric(`afterSales.bySupplier.${i}.rate`, a.rate, percent(a.rate))]), { id: 'board-aftersales-supplier', empty: t('common.none') })),
    ),
    section(
      t('board.costRatio'),
      h('p', null, `${t('board.overall')}: `, metric('costRatio.overall', board.costRatio.overall, board.costRatio.overall === null ? t('common.none') : percent(board.costRatio.overall))),
      table([t('col.item'), t('col.sku'), t('board.costRatio')], board.costRatio.flagged.map((f, i) => [h('span', { class: 'item-title' }, f.title), h('span', { class: 'mono' }, f.skuId), metric(`costRatio.flagged.${i}.ratio`, f.ratio, percent(f.ratio))]), { id: 'board-flagged', caption: t('board.flagged'), empty: t('common.none') }),
    ),
  );
}
