/**
 * The Logs page's query logic without React: composing the filter from the search bar and the
 * quick toggles, and turning `/api/logs/stats` answers into chart buckets.
 * Checked by test/unit-logs-query.test.ts.
 * @module
 */

/** The quick toggle "errors only": failed requests, and app errors (level ≥ warn). */
export const ERRORS_FILTER = 'data.status >= 400 || level >= 4';
/** The quick toggle "hide superuser requests": mostly the dashboard's own traffic. */
export const NO_SUPERUSERS_FILTER = 'data.auth != "_superusers"';

/** ANDs the non-empty parts, each in parentheses so an `||` inside one stays inside it. */
export function combineFilters(...parts: Array<string | undefined | false>): string {
  const kept = parts.map((p) => (p || '').trim()).filter(Boolean);
  return kept.length === 1 ? kept[0] : kept.map((p) => `(${p})`).join(' && ');
}

export interface HourlyCount {
  total: number;
  date: string;
}

export interface Bucket {
  /** Start of the bucket (UTC). */
  start: Date;
  /** Length in hours. */
  hours: number;
  total: number;
  errors: number;
}

/** Most bars the chart draws; longer ranges merge neighbouring hours. */
export const MAX_BUCKETS = 96;
/** Shortest range the chart covers, ending now, so a quiet log still reads as a timeline. */
export const MIN_HOURS = 24;

const HOUR = 3_600_000;

function parseDate(s: string): number {
  return Date.parse(s.replace(' ', 'T'));
}

/**
 * Buckets covering every hour from the first one with data to the current hour, at least
 * MIN_HOURS (gaps are zero), merged into groups of whole hours so there are at most MAX_BUCKETS;
 * `errors` comes from a second stats call with the errors filter added.
 */
export function toBuckets(totals: readonly HourlyCount[], errors: readonly HourlyCount[], now: Date = new Date()): Bucket[] {
  const byHour = new Map<number, { total: number; errors: number }>();
  const add = (list: readonly HourlyCount[], key: 'total' | 'errors') => {
    for (const s of list) {
      const t = parseDate(s.date);
      if (Number.isNaN(t)) continue;
      const hour = Math.floor(t / HOUR) * HOUR;
      const slot = byHour.get(hour) ?? { total: 0, errors: 0 };
      slot[key] += s.total;
      byHour.set(hour, slot);
    }
  };
  add(totals, 'total');
  add(errors, 'errors');
  if (byHour.size === 0) return [];
  const hours = [...byHour.keys()];
  const last = Math.max(...hours, Math.floor(now.getTime() / HOUR) * HOUR);
  const first = Math.min(...hours, last - (MIN_HOURS - 1) * HOUR);
  const span = (last - first) / HOUR + 1;
  const size = Math.ceil(span / MAX_BUCKETS);
  const buckets: Bucket[] = [];
  for (let start = first; start <= last; start += size * HOUR) {
    const b: Bucket = { start: new Date(start), hours: size, total: 0, errors: 0 };
    for (let h = 0; h < size; h++) {
      const slot = byHour.get(start + h * HOUR);
      if (slot) {
        b.total += slot.total;
        b.errors += slot.errors;
      }
    }
    buckets.push(b);
  }
  return buckets;
}

/** slog level names (spec §10.2). */
export function levelName(level: number | string): string {
  level = Number(level);
  if (level >= 8) return 'ERROR';
  if (level >= 4) return 'WARN';
  if (level >= 0) return 'INFO';
  return 'DEBUG';
}
