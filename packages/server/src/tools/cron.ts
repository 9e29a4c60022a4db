/**
 * Five-field cron expressions (`minute hour day-of-month month day-of-week`), as PocketBase's
 * tools/cron accepts them: `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, comma lists, and
 * the macros `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`.
 * @module
 */

/** A parsed expression: the allowed values of each field. */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekdays: ReadonlySet<number>;
}

/** The longest expression accepted (a guard against pathological input). */
export const MAX_CRON_LENGTH = 256;

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const BOUNDS: ReadonlyArray<readonly [number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

const NUMBER = /^\d{1,2}$/;

function parseField(text: string, min: number, max: number): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) return undefined;
    let step = 1;
    if (stepText !== undefined) {
      if (!NUMBER.test(stepText)) return undefined;
      step = Number(stepText);
      if (step < 1) return undefined;
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined || !NUMBER.test(a) || (b !== undefined && !NUMBER.test(b))) return undefined;
      from = Number(a);
      // As in Vixie cron, `5/10` means 5, 15, 25… up to the field's maximum.
      to = b !== undefined ? Number(b) : stepText !== undefined ? max : from;
    }
    if (from < min || to > max || from > to) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses `expression`; returns undefined when it is not a valid five-field expression or macro. */
export function parseCron(expression: string): CronSchedule | undefined {
  if (typeof expression !== 'string' || expression.length > MAX_CRON_LENGTH) return undefined;
  const text = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return undefined;
  const sets = parts.map((p, i) => parseField(p, BOUNDS[i][0], BOUNDS[i][1]));
  if (sets.some((s) => s === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  return { minutes, hours, days, months, weekdays };
}

/**
 * Whether `schedule` fires in the minute of `date` (UTC). Every field must match, day of month and
 * day of week included (PocketBase's rule, not Vixie cron's "either day field").
 */
export function isCronDue(schedule: CronSchedule, date: Date): boolean {
  return (
    schedule.minutes.has(date.getUTCMinutes()) &&
    schedule.hours.has(date.getUTCHours()) &&
    schedule.days.has(date.getUTCDate()) &&
    schedule.months.has(date.getUTCMonth() + 1) &&
    schedule.weekdays.has(date.getUTCDay())
  );
}
