import type { SandboxClock } from './clock.ts';
import { AFTER_SALE_FAULTS, clockView, type InspectedSandbox, PARCEL_FAULTS, summarize } from './inspect.ts';

// How much of each list the page shows per supplier (newest first); the JSON routes have it all.
const ORDERS_SHOWN = 50;
const AFTER_SALES_SHOWN = 50;
const CALLBACKS_SHOWN = 20;

/** Markup that is already safe: built by `html`, whose interpolations are escaped. */
class Markup {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

function render(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose every interpolation is HTML-escaped (supplier data never becomes markup), except nested `html`. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

const tick = (on: boolean) => (on ? '✓' : '');
const newest = <T>(list: T[], n: number): T[] => list.slice(-n).reverse();

function duration(ms: number): string {
  if (ms === 0) return 'not advanced';
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return [d && `${d} d`, h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean).join(' ') || `${ms} ms`;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n { text-align: right; }
code, pre { background: #f6f6f6; padding: .1rem .3rem; }
pre { padding: .5rem; overflow-x: auto; }
.muted { color: #777; }
section { margin-top: 2rem; }
`;

function supplierSection(s: InspectedSandbox): Markup {
  const sum = summarize(s);
  const orders = s.orderLedger();
  const afterSales = s.afterSales();
  const callbacks = s.callbacks.records().slice(0, CALLBACKS_SHOWN);
  const link = (name: string) => html`<a href="${sum.links[name]}">${name}</a>`;
  return html`<section id="${`supplier-${s.id}`}">
<h2>${s.id} <span class="muted">(${s.kind})</span></h2>
<p>JSON: ${Object.keys(sum.links).map((name, i) => html`${i ? ' · ' : ''}${link(name)}`)}</p>
<h3>Orders (${orders.length}${orders.length > ORDERS_SHOWN ? html`, newest ${ORDERS_SHOWN} shown` : ''})</h3>
${orders.length === 0
    ? html`<p class="muted">No orders.</p>`
    : html`<table><thead><tr><th>reference</th><th>supplier order</th><th>status</th><th>units</th><th>live</th><th>charged</th><th>shipped</th><th>delivered</th><th>issued</th><th>cancelled</th><th>created (sandbox time)</th></tr></thead><tbody>
${newest(orders, ORDERS_SHOWN).map((o) => html`<tr><td>${o.reference}</td><td>${o.supplierOrderId}</td><td>${o.status}</td><td class="n">${o.units}</td><td>${tick(o.live)}</td><td>${tick(o.charged)}</td><td>${tick(o.shipped)}</td><td>${tick(o.delivered)}</td><td>${tick(o.issued)}</td><td>${tick(o.cancelled)}</td><td>${o.createdAt}</td></tr>
`)}</tbody></table>`}
<h3>After-sales (${afterSales.length})</h3>
${afterSales.length === 0
    ? html`<p class="muted">${s.kind === 'topup' ? 'Top-up providers take no after-sales (a failed recharge is refunded to the balance).' : 'No after-sales.'}</p>`
    : html`<table><thead><tr><th>reference</th><th>supplier id</th><th>order</th><th>order reference</th><th>type</th><th>status</th><th>lines</th><th>open</th><th>created (sandbox time)</th></tr></thead><tbody>
${newest(afterSales, AFTER_SALES_SHOWN).map((a) => html`<tr><td>${a.reference}</td><td>${a.supplierAfterSaleId}</td><td>${a.supplierOrderId}</td><td>${a.orderReference}</td><td>${a.type}</td><td>${a.status}</td><td>${a.lines.map((l) => `${l.units} × ${l.sku}`).join(', ')}</td><td>${tick(a.open)}</td><td>${a.createdAt}</td></tr>
`)}</tbody></table>`}
<h3>Callbacks to the hub (${sum.callbacks.recorded} remembered: ${sum.callbacks.accepted} accepted, ${sum.callbacks['gave-up']} gave up, ${sum.callbacks.dropped} dropped, ${sum.callbacks.sending} sending)</h3>
${callbacks.length === 0
    ? html`<p class="muted">${s.kind === 'jd' ? html`JD sends no callbacks: the hub reads its message pool (${link('messages')}).` : 'None sent yet.'}</p>`
    : html`<table><thead><tr><th>sent (wall clock)</th><th>sandbox time</th><th>event</th><th>reference</th><th>order</th><th>hub answered</th><th>attempts</th><th>outcome</th></tr></thead><tbody>
${callbacks.map((c) => html`<tr><td>${c.sentAt}</td><td>${c.sandboxTime}</td><td>${c.event}${c.duplicate ? ' (duplicate)' : ''}</td><td>${c.reference}</td><td>${c.orderId}</td><td class="n">${c.status ?? 'no answer'}</td><td class="n">${c.attempts}</td><td>${c.outcome}</td></tr>
`)}</tbody></table>`}
<p class="muted">Faults fired: ${Object.entries(sum.faultsInjected).map(([k, v]) => `${k} ${v}`).join(', ')}</p>
<p class="muted">Faults in force: ${Object.keys(sum.faultsInForce).length === 0 ? 'none' : Object.entries(sum.faultsInForce).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}. Set with <code>PUT ${sum.links.faults}</code>${s.kind === 'topup' ? '' : html` (after-sales: ${AFTER_SALE_FAULTS.map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)}; parcels: ${PARCEL_FAULTS.map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)})`}.</p>
</section>`;
}

/**
 * `GET /sandbox/ui`: one server-rendered page (no script) of what every simulated supplier holds:
 * orders with their flags, after-sales, the callbacks it sent and what the hub answered, and the
 * sandbox clock with how to advance it. Everything a supplier or the hub provided is escaped.
 * `origin` is where the page was asked for (for the curl line); `refreshSeconds` reloads the page.
 */
export function renderSandboxPage(sandboxes: readonly InspectedSandbox[], clock: SandboxClock | undefined, opts: { origin: string; refreshSeconds?: number }): string {
  const view = clockView(clock);
  const wallNow = new Date().toISOString();
  const summaries = sandboxes.map(summarize);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Sandbox suppliers</title>
${opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<style>${new Markup(STYLE)}</style>
</head><body>
<h1>Sandbox suppliers</h1>
<p>Every simulated supplier, what it holds and what it sent to the hub. JSON: <a href="/sandbox">/sandbox</a>. Reload to see changes (or <a href="/sandbox/ui?refresh=5">every 5 s</a>).</p>
<h2>Clock</h2>
${view
    ? html`<table><tbody>
<tr><th>sandbox time</th><td>${view.now}</td></tr>
<tr><th>wall clock</th><td>${wallNow}</td></tr>
<tr><th>ahead of the wall clock</th><td>${duration(view.aheadOfWallClockMs)}</td></tr>
</tbody></table>
<p>Advance it (every supplier at once; the steps that fall due run, and their callbacks go out):</p>
<pre>curl -X POST ${opts.origin}/clock/advance -H 'content-type: application/json' -d '{"ms": 86400000}'</pre>
<p>It moves ${view.moves}.<br>It does not move ${view.doesNotMove}.</p>`
    : html`<p class="muted">This host has no sandbox clock.</p>`}
<h2>Suppliers</h2>
<table><thead><tr><th>supplier</th><th>kind</th><th>orders</th><th>live</th><th>shipped</th><th>delivered</th><th>issued</th><th>cancelled</th><th>after-sales (open)</th><th>callbacks accepted / not</th></tr></thead><tbody>
${summaries.map((s) => html`<tr><td><a href="${`#supplier-${s.id}`}">${s.id}</a></td><td>${s.kind}</td><td class="n">${s.orders.total}</td><td class="n">${s.orders.live}</td><td class="n">${s.orders.shipped}</td><td class="n">${s.orders.delivered}</td><td class="n">${s.orders.issued}</td><td class="n">${s.orders.cancelled}</td><td class="n">${s.afterSales.total} (${s.afterSales.open})</td><td class="n">${s.callbacks.accepted} / ${s.callbacks['gave-up'] + s.callbacks.dropped}</td></tr>
`)}</tbody></table>
${sandboxes.map(supplierSection)}
</body></html>
`.text;
}
