/**
 * PocketBase's datetime text format: `YYYY-MM-DD HH:MM:SS.sssZ`, always UTC, `""` when unset.
 * Stored as text so comparisons with literals are lexicographic (spec §4.4).
 * @module
 */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * Formats a Date in the PocketBase layout. Built from the UTC fields rather than with
 * toISOString, which costs four times as much (V8 formats it with snprintf), on a path every
 * record write and request-log entry takes; years outside 1000–9999 (and invalid dates, which
 * throw) go through toISOString.
 */
export function formatDateTime(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) return date.toISOString().replace('T', ' ');
  return `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}.${pad3(date.getUTCMilliseconds())}Z`;
}

/** The current time in the PocketBase layout. */
export function nowDateTime(): string {
  return formatDateTime(new Date());
}

const LAYOUT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the fields name a real UTC time (no Feb 30, no hour 24, no leap second: as Date reads them). */
function isRealTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses the layouts PocketBase accepts (its own, RFC 3339, `YYYY-MM-DD`, unix seconds) into
 * the PocketBase layout. Returns `""` for anything it cannot read, never throws.
 */
export function parseDateTime(input: unknown): string {
  if (input instanceof Date) return inLayout(input);
  if (typeof input === 'number') return Number.isFinite(input) ? inLayout(new Date(input * 1000)) : '';
  if (typeof input !== 'string') return '';
  const s = input.trim();
  if (s === '') return '';
  // Values already in the layout (every stored one, on every write) need no Date round trip.
  const c = s.length === 24 ? LAYOUT.exec(s) : null;
  if (c) return isRealTime(+c[1], +c[2], +c[3], +c[4], +c[5], +c[6]) ? s : '';
  if (/^-?\d+$/.test(s) && s.length <= 12) return parseDateTime(Number(s));
  let m = DATE_ONLY.exec(s);
  if (m) return checked(`${m[1]}-${m[2]}-${m[3]}T00:00:00.000Z`, +m[1], +m[2], +m[3]);
  m = DATE_TIME.exec(s);
  if (!m) return '';
  const ms = (m[7] ?? '0').padEnd(3, '0').slice(0, 3);
  let zone = m[8] ?? 'Z';
  if (zone.toUpperCase() === 'Z') zone = 'Z';
  else if (!zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return checked(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${ms}${zone}`, +m[1], +m[2], +m[3]);
}

/** `date` in the layout, or `""` when the layout cannot hold it (invalid, or outside years 0000–9999). */
function inLayout(date: Date): string {
  const year = date.getUTCFullYear();
  return Number.isNaN(year) || year < 0 || year > 9999 ? '' : formatDateTime(date);
}

function checked(iso: string, year: number, month: number, day: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  // Date rolls 2026-02-31 over to March; reject instead of silently moving the day.
  const local = new Date(Date.UTC(year, month - 1, day));
  if (local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return '';
  return inLayout(d);
}
