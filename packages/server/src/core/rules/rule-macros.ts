/**
 * The datetime macros of the filter language (spec §4.8), evaluated in UTC at compile time.
 * @module
 */
import { formatDateTime } from '../../tools/datetime.ts';

const DAY_MS = 86_400_000;

/**
 * The value of macro `name` (e.g. `@todayStart`) at `now`, or `undefined` when `name` is not a
 * datetime macro. Datetime macros give PocketBase-layout strings; `@second` … `@weekday` give
 * integers (month 1–12, Sunday = 0). There is no `@today` (spec §4.8).
 */
export function datetimeMacro(name: string, now: Date): string | number | undefined {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (name) {
    case '@now':
      return formatDateTime(now);
    case '@yesterday':
      return formatDateTime(new Date(now.getTime() - DAY_MS));
    case '@tomorrow':
      return formatDateTime(new Date(now.getTime() + DAY_MS));
    case '@todayStart':
      return formatDateTime(new Date(Date.UTC(y, m, d)));
    case '@todayEnd':
      return formatDateTime(new Date(Date.UTC(y, m, d, 23, 59, 59, 999)));
    case '@monthStart':
      return formatDateTime(new Date(Date.UTC(y, m, 1)));
    case '@monthEnd':
      // Day 0 of the next month is the last day of this one.
      return formatDateTime(new Date(Date.UTC(y, m + 1, 0, 23, 59, 59, 999)));
    case '@yearStart':
      return formatDateTime(new Date(Date.UTC(y, 0, 1)));
    case '@yearEnd':
      return formatDateTime(new Date(Date.UTC(y, 11, 31, 23, 59, 59, 999)));
    case '@second':
      return now.getUTCSeconds();
    case '@minute':
      return now.getUTCMinutes();
    case '@hour':
      return now.getUTCHours();
    case '@day':
      return d;
    case '@month':
      return m + 1;
    case '@year':
      return y;
    case '@weekday':
      return now.getUTCDay();
    default:
      return undefined;
  }
}
