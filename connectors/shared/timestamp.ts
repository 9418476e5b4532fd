/** `yyyy-MM-dd HH:mm:ss` in UTC+8 (Beijing time), the timestamp form of JD, Taobao and the top-up platforms. */

const UTC8_OFFSET_MS = 8 * 60 * 60_000;
const PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Formats an instant as `yyyy-MM-dd HH:mm:ss` in UTC+8, whatever the machine's time zone (milliseconds are dropped). */
export function formatUtc8Timestamp(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('formatUtc8Timestamp: invalid date');
  // Shifting the instant by 8 h and reading its UTC fields gives the Beijing wall clock; China has no DST.
  const d = new Date(ms + UTC8_OFFSET_MS);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError('formatUtc8Timestamp: year outside 0000-9999');
  return (
    `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** Parses a `yyyy-MM-dd HH:mm:ss` UTC+8 timestamp; undefined when the text is not exactly that form or names no real date. */
export function parseUtc8Timestamp(text: string): Date | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = new Date(0);
  // setUTCFullYear rather than Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  // Date rolls 2026-02-30 over to March; a field that changed means the text named no real date.
  const roundTrips =
    wall.getUTCFullYear() === year &&
    wall.getUTCMonth() === month - 1 &&
    wall.getUTCDate() === day &&
    wall.getUTCHours() === hour &&
    wall.getUTCMinutes() === minute &&
    wall.getUTCSeconds() === second;
  return roundTrips ? new Date(wall.getTime() - UTC8_OFFSET_MS) : undefined;
}

/** Tells whether an instant lies within maxSkewMs of now, in either direction (a future stamp would extend a replay window). */
export function isWithinSkew(at: Date, now: Date, maxSkewMs: number): boolean {
  return Math.abs(now.getTime() - at.getTime()) <= maxSkewMs;
}
