/**
 * `basalt backup create|list|restore`: backups of a data directory or PostgreSQL database from the
 * command line, through the same BackupService as `/api/backups`, with progress on stderr.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { App } from '../core/app.ts';
import type { BackupServiceOptions } from '../core/backups/backup-service.ts';
import { isValidBackupKey, type BackupProgress } from '../core/backups/backup-service.ts';
import { LocalFileStore } from '../files/local/local-file-store.ts';
import { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { snapshotSqliteFile } from '../storage/sqlite/sqlite-snapshot.ts';
import { UsageError } from './usage-error.ts';

/** The usage lines of `basalt backup` (in `basalt --help`). */
export const BACKUP_HELP = `  basalt backup create [NAME] [--dir DIR | --db URL]   back up the database and the stored files
  basalt backup list [--dir DIR]                       list the backups in DIR/backups
  basalt backup restore FILE|NAME [--force]            replace all data with a backup's (a .zip path or a NAME from the list)`;

/**
 * The backup settings of a data directory: archives in `<dir>/backups/`, scratch space in
 * `<dir>/.tmp/`, and on SQLite (no `databaseUrl`) snapshots of `<dir>/data.db` taken without the
 * write lock.
 */
export function backupOptions(dir: string, databaseUrl: string | undefined): BackupServiceOptions {
  const database = join(dir, 'data.db');
  return {
    store: new LocalFileStore(join(dir, 'backups')),
    tempDir: join(dir, '.tmp'),
    openSqliteFile: (path) => new SqliteDatabase(path, { synchronous: 'NORMAL' }),
    snapshotDatabase: databaseUrl === undefined ? (target) => snapshotSqliteFile(database, target) : undefined,
  };
}

const PHASES: Record<BackupProgress['phase'], { label: string; unit: string }> = {
  database: { label: 'Snapshotting the database', unit: 'rows' },
  files: { label: 'Archiving stored files', unit: 'files' },
  upload: { label: 'Storing the archive', unit: 'bytes' },
  download: { label: 'Fetching the archive', unit: 'bytes' },
  extract: { label: 'Checking and extracting', unit: 'bytes' },
  'restore-database': { label: 'Restoring the database', unit: 'rows' },
  'restore-files': { label: 'Restoring stored files', unit: 'files' },
  done: { label: 'Done', unit: '' },
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Draws progress on stderr: one redrawn bar on a terminal, one line per phase otherwise. */
class ProgressDisplay {
  readonly #tty = Boolean(process.stderr.isTTY);
  #phase: BackupProgress['phase'] | undefined;
  #width = 24;

  update(p: BackupProgress): void {
    const { label, unit } = PHASES[p.phase];
    const changed = p.phase !== this.#phase;
    if (changed && this.#tty && this.#phase !== undefined) process.stderr.write('\n');
    this.#phase = p.phase;
    if (p.phase === 'done') return;
    if (!this.#tty) {
      if (changed) process.stderr.write(`${label}…\n`);
      return;
    }
    // A step of unknown size (total 0) shows an empty bar and no percentage.
    const share = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const filled = Math.round(share * this.#width);
    const percent = p.total > 0 ? `${Math.floor(share * 100)}%`.padStart(4) : '   …';
    const counts = p.total > 1 ? `  ${fmt(p.done)} / ${fmt(p.total)} ${unit}${p.item ? ` of ${p.item}` : ''}` : p.item ? `  ${p.item}` : '';
    process.stderr.write(`\r\x1b[K  ${label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(this.#width - filled)}] ${percent}${counts}`);
  }
}

/** Describes what `app` already holds, or undefined when it holds nothing of its own yet. */
async function existingData(app: App): Promise<string | undefined> {
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const found: string[] = [];
  for (const c of app.collections.all()) {
    if (c.type === 'view') continue;
    const row = await app.db.get<{ n: number | bigint }>(`SELECT COUNT(*) AS n FROM ${q(c.name)}`);
    const n = Number(row?.n ?? 0);
    if (n > 0) found.push(`${fmt(n)} in ${c.name}`);
  }
  let files = 0;
  for await (const _ of app.files.list('')) files++;
  if (files) found.push(`${fmt(files)} stored file${files === 1 ? '' : 's'}`);
  return found.length ? found.slice(0, 5).join(', ') + (found.length > 5 ? ', …' : '') : undefined;
}

export interface BackupCommandOptions {
  /** Opens the App of the chosen data directory or database. */
  openApp(): Promise<App>;
  /** Printable name of that storage (no password). */
  storageName: string;
  dir: string;
  force: boolean;
}

/** Runs `basalt backup …`; returns the exit code. */
export async function backup(args: readonly string[], options: BackupCommandOptions): Promise<number> {
  const [action, target, ...extra] = args;
  if (extra.length) throw new UsageError(`backup ${action} takes at most one argument (got ${args.slice(1).join(' ')})`);
  if (action === 'list') {
    if (target !== undefined) throw new UsageError('backup list takes no arguments');
    return withApp(options, async (app) => {
      const list = await app.backups.list();
      if (!list.length) {
        console.log(`No backups in ${resolve(options.dir, 'backups')}.`);
        return 0;
      }
      const width = Math.max(3, ...list.map((b) => b.key.length));
      console.log(`${'key'.padEnd(width)}  ${'size'.padStart(14)}  modified`);
      for (const b of list) console.log(`${b.key.padEnd(width)}  ${fmt(b.size).padStart(14)}  ${b.modified}`);
      return 0;
    });
  }
  if (action === 'create') {
    return withApp(options, async (app) => {
      console.error(`Backing up ${options.storageName} and its stored files`);
      const display = new ProgressDisplay();
      const key = await app.backups.create(target, (p) => display.update(p));
      const size = (await app.backups.list()).find((b) => b.key === key)?.size ?? 0;
      console.log(`Created backup ${key} (${fmt(size)} bytes) in ${resolve(options.dir, 'backups')}.`);
      return 0;
    });
  }
  if (action === 'restore') {
    if (!target) throw new UsageError('backup restore needs a backup: a .zip file path or a NAME from `basalt backup list`');
    const isFile = existsSync(target) && statSync(target).isFile();
    if (!isFile && !isValidBackupKey(target)) throw new UsageError(`no backup file ${JSON.stringify(target)}: give the path of a .zip archive or a NAME from \`basalt backup list\``);
    return withApp(options, async (app) => {
      if (!isFile && !(await app.backups.list()).some((b) => b.key === target)) {
        console.error(`basalt: no backup ${JSON.stringify(target)} in ${resolve(options.dir, 'backups')} (see \`basalt backup list\`), and no such file`);
        return 1;
      }
      const holds = options.force ? undefined : await existingData(app);
      if (holds) {
        console.error(`basalt: ${options.storageName} already holds data (${holds}); a restore replaces all of it. Add --force to go ahead.`);
        return 1;
      }
      console.error(`Restoring ${isFile ? resolve(target) : target} into ${options.storageName}`);
      const display = new ProgressDisplay();
      const progress = (p: BackupProgress) => display.update(p);
      if (isFile) await app.backups.restoreFile(target, progress);
      else await app.backups.restore(target, progress);
      console.log('Restored: the database and the stored files are now the backup\'s. Restart any server running on this data.');
      return 0;
    });
  }
  throw new UsageError(action === undefined ? 'backup needs an action: create, list or restore' : `unknown backup action ${JSON.stringify(action)}: expected create, list or restore`);
}

async function withApp(options: BackupCommandOptions, run: (app: App) => Promise<number>): Promise<number> {
  const app = await options.openApp();
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}
