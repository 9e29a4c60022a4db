/**
 * `basalt migrate --from SOURCE --to TARGET`: copies a Basalt database into an empty one on
 * another engine (usually a SQLite data directory into PostgreSQL) with core's copyDatabase,
 * showing progress on stderr and a table of row counts on stdout.
 * @module
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { copyDatabase, DatabaseCopyError, DEFAULT_COPY_BATCH_SIZE, type CopiedTableCount, type CopyProgress } from '../core/database-copy.ts';
import { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import type { Database } from '../storage/types.ts';
import { UsageError } from './usage-error.ts';

/** The usage line of `basalt migrate` (in `basalt --help`). */
export const MIGRATE_HELP = '  basalt migrate --from SRC --to DEST [--force]        copy all data into an empty database (SQLite → PostgreSQL)';

/** The flags of `basalt migrate` (in `basalt --help`). */
export const MIGRATE_FLAGS_HELP = `  --from, --to      migrate: a data directory (SQLite) or a postgres:// URL (?schema=NAME allowed)
  --force           migrate: replace an earlier Basalt instance in the target
  --batch N         migrate: rows per INSERT statement (default ${DEFAULT_COPY_BATCH_SIZE})`;

export interface MigrateFlags {
  from?: string;
  to?: string;
  force?: boolean;
  batch?: string;
}

const isUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);

/** A printable name of a location, without a password. */
function displayName(location: string): string {
  return isUrl(location) ? location.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') : resolve(location);
}

async function open(flag: '--from' | '--to', location: string): Promise<Database> {
  if (isUrl(location)) {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new UsageError(`invalid ${flag} ${JSON.stringify(displayName(location))}: expected postgres://user:password@host:5432/dbname`);
    }
    // `?schema=` is Basalt's own parameter (as for --db); the driver must not see it.
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new UsageError(`invalid schema ${JSON.stringify(schema)} in ${flag}: letters, digits and _ only`);
    return PostgresDatabase.open({ url: url.toString(), schema, maxConnections: 2 });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new UsageError(`invalid ${flag} ${JSON.stringify(location)}: expected a data directory or a postgres:// URL`);
  const isFile = existsSync(location) && statSync(location).isFile();
  const file = isFile ? location : join(location, 'data.db');
  if (flag === '--from' && !existsSync(file)) throw new UsageError(`--from ${JSON.stringify(location)} holds no Basalt data: ${resolve(file)} does not exist`);
  if (flag === '--to' && !isFile) mkdirSync(location, { recursive: true });
  return new SqliteDatabase(file);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Draws per-table progress on stderr: a redrawn bar on a terminal, one line per table otherwise. */
class ProgressDisplay {
  readonly #tty = Boolean(process.stderr.isTTY);
  #table = '';
  #started = 0;
  #width = 20;

  update(p: CopyProgress): void {
    if (p.table !== this.#table) {
      this.#table = p.table;
      this.#started = performance.now();
    }
    const done = p.copied >= p.total;
    if (!this.#tty && !done) return;
    const seconds = (performance.now() - this.#started) / 1000;
    const share = p.total === 0 ? 1 : p.copied / p.total;
    const filled = Math.round(share * this.#width);
    const rate = seconds > 0.05 ? `${fmt(p.copied / seconds)} rows/s` : '';
    const line = `  ${p.table.padEnd(24)} ${`${fmt(p.copied)} / ${fmt(p.total)}`.padStart(21)}  [${'#'.repeat(filled)}${'.'.repeat(this.#width - filled)}] ${`${Math.floor(share * 100)}%`.padStart(4)}  ${rate}`;
    if (this.#tty) process.stderr.write(`\r\x1b[K${line}${done ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  }
}

function countsTable(tables: readonly CopiedTableCount[]): string {
  const width = Math.max(5, ...tables.map((t) => t.table.length));
  const lines = [`${'table'.padEnd(width)}  ${'kind'.padEnd(8)}  ${'source'.padStart(9)}  ${'target'.padStart(9)}`];
  for (const t of tables) {
    lines.push(`${t.table.padEnd(width)}  ${t.kind.padEnd(8)}  ${fmt(t.source).padStart(9)}  ${fmt(t.target).padStart(9)}  ${t.source === t.target ? 'ok' : 'MISMATCH'}`);
  }
  return lines.join('\n');
}

/** Runs `basalt migrate`; returns the exit code. */
export async function migrate(flags: MigrateFlags, positionals: readonly string[]): Promise<number> {
  if (positionals.length) throw new UsageError(`migrate takes no arguments (got ${positionals.join(' ')}); use --from and --to`);
  if (!flags.from || !flags.to) throw new UsageError('migrate needs --from SOURCE and --to TARGET, e.g. --from ./basalt_data --to postgres://user@localhost:5432/db');
  const batch = flags.batch === undefined ? DEFAULT_COPY_BATCH_SIZE : Number(flags.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new UsageError(`invalid --batch ${JSON.stringify(flags.batch)}: expected a whole number from 1 to 100000`);
  if (!isUrl(flags.from) && !isUrl(flags.to) && resolve(flags.from) === resolve(flags.to)) throw new UsageError('--from and --to are the same place');

  const source = await open('--from', flags.from);
  let target: Database | undefined;
  try {
    target = await open('--to', flags.to);
    console.error(`Copying ${displayName(flags.from)} (${source.dialect.name}) into ${displayName(flags.to)} (${target.dialect.name})`);
    const display = new ProgressDisplay();
    const t0 = performance.now();
    const report = await copyDatabase(source, target, {
      replace: flags.force === true,
      batchSize: batch,
      onProgress: (p) => display.update(p),
      onStep: (s) => console.error(`${s[0].toUpperCase()}${s.slice(1)}…`),
    });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(countsTable(report.tables));
    const views = report.tables.filter((t) => t.kind === 'view').length;
    const collections = report.tables.filter((t) => t.kind !== 'internal').length;
    console.log(`\nCopied ${fmt(report.rows)} rows of ${collections} collections (${views} view${views === 1 ? '' : 's'}) in ${seconds} s; every row count matches.`);
    if (report.skipped.length) console.log(`Not copied (not Basalt tables): ${report.skipped.join(', ')}.`);
    return 0;
  } catch (err) {
    if (err instanceof DatabaseCopyError) {
      if (err.tables) console.log(countsTable(err.tables));
      console.error(`basalt: migrate failed: ${err.message}. The target was left unchanged.`);
      return 1;
    }
    if (err instanceof UsageError) throw err;
    const e = err as Error;
    // A driver error inside the copy (e.g. a value the target refuses): one line, target rolled back.
    throw new Error(`migrate failed: ${e?.message ?? String(err)}. The target was left unchanged.`, { cause: err });
  } finally {
    await target?.close().catch(() => {});
    await source.close().catch(() => {});
  }
}
