import type { Translate } from './i18n/index.ts';

/*
 * How the console writes numbers, money, times and durations. Times are shown in China Standard
 * Time (the malls' and their members' business day), whatever the browser's zone.
 */

const ZONE = 'Asia/Shanghai';

/** `2026-12-04 11:00` in China Standard Time; '—' for none. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`;
}

/** A date (YYYY-MM-DD) in China Standard Time. */
export function dateOnly(iso: string): string {
  return dateTime(iso).slice(0, 10);
}

/** Whole numbers with grouping: 12,900 (the same in both languages). */
export function int(n: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
}

/** Fen as yuan with two decimals: 99.00. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** A share (0..1) as a percentage with one decimal: 92.3 %. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** A length of time, to the minute: `2 天 3 小时`, `5 h 20 min`. */
export function duration(ms: number, t: Translate): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return t('duration.days', { d, h });
  if (h > 0) return t('duration.hours', { h, m });
  return t('duration.minutes', { m });
}

/** Milliseconds as seconds or minutes, for latencies and times to ship. */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 2 * 3600_000) return `${(ms / 60_000).toFixed(0)} min`;
  return `${(ms / 3600_000).toFixed(1)} h`;
}

/** A URL fit to be a link a person follows: http or https only (a `javascript:` URL stays text). */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}
