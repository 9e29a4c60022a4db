/**
 * Backups of one App: creating, listing, uploading, deleting and restoring archives (spec §10.4),
 * and the automatic backups that the `__pbAutoBackup__` job (core/crons) runs on the schedule of
 * `settings.backups.cron`. Archives are kept in a FileStore (the
 * local `<dataDir>/backups/` one the composition root passes, or S3 while
 * `settings.backups.s3.enabled`); the files they cover are the App's active store.
 *
 * One backup or restore runs at a time per App; another one is refused with a 400.
 * Note: the lock is in memory, so it does not coordinate several nodes sharing one PostgreSQL
 * database; run backups from one node only (docs/backups.md).
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore, S3FileStoreFactory, S3StoreConfig } from '../../files/types.ts';
import type { Database } from '../../storage/types.ts';
import type { App } from '../app.ts';
import { copyDatabase, DatabaseCopyError } from '../database-copy.ts';
import { BadRequestError, NotFoundError, ValidationError, fieldError } from '../errors.ts';
import { REDACTED, withLoggedMessage } from '../logs/log-redaction.ts';
import { rawWriteReload, RawWriteReloadError } from '../raw-write-reload.ts';
import { BackupArchiveError, extractBackupArchive, isBackedUpFileKey, readStagedFile, writeBackupArchive, type BackupProgress, type ProgressListener, type StagedArchive } from './backup-archive.ts';

/** Names a client may give a new backup (spec §10.4; PocketBase forms/backup_create.go). */
export const BACKUP_NAME_PATTERN = /^[a-z0-9_-]+\.zip$/;
/** Longest backup name or key. */
export const MAX_BACKUP_NAME_LENGTH = 150;
/** Keys of existing backups: created names, auto backups (`@auto_…`) and uploaded file names. */
const BACKUP_KEY_PATTERN = /^@?[A-Za-z0-9_][A-Za-z0-9_.-]*\.zip$/;
/** Prefix of the backups the cron makes; only those are pruned to `cronMaxKeep`. */
export const AUTO_BACKUP_PREFIX = '@auto_pb_backup_';

/**
 * SQLite's primary result codes for refused data: SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH.
 * An extended code (SQLITE_CONSTRAINT_UNIQUE = 2067) keeps its primary code in its low byte.
 */
const SQLITE_REFUSED_DATA: ReadonlySet<number> = new Set([18, 19, 20]);

/**
 * Whether `err` is a database engine refusing a value or row it was given, which in a restore is
 * the archive's fault (a 400): PostgreSQL's SQLSTATE classes 22 (data exception) and 23 (integrity
 * constraint violation), and node:sqlite's SQLITE_CONSTRAINT (with its extended codes),
 * SQLITE_MISMATCH and SQLITE_TOOBIG. Nothing else is, though it may carry a string `code` too: a
 * full disk (`ENOSPC`), a refused file (`EACCES`), a dropped connection (`ECONNRESET`).
 */
export function isRefusedDataError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, errcode } = err as { code?: unknown; errcode?: unknown };
  if (code === 'ERR_SQLITE_ERROR') return typeof errcode === 'number' && SQLITE_REFUSED_DATA.has(errcode & 0xff);
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** Whether `key` can name a stored backup (no path, no traversal: one safe file name). */
export function isValidBackupKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= MAX_BACKUP_NAME_LENGTH && BACKUP_KEY_PATTERN.test(key);
}

/** One stored backup, as `GET /api/backups` lists it. */
export interface BackupInfo {
  key: string;
  size: number;
  /** `2026-03-01 09:15:02.000Z` */
  modified: string;
}

/** What the composition root provides for backups. */
export interface BackupServiceOptions {
  /** Where archives are kept while `settings.backups.s3.enabled` is off (`<dataDir>/backups/`). */
  store: FileStore;
  /** Scratch folder for snapshots, archives being written and extracted restores. */
  tempDir: string;
  /** Opens (creating when missing) a SQLite database file: the archive's database format. */
  openSqliteFile(path: string): Database;
  /**
   * Writes a consistent copy of the live database to a new SQLite file at `path` without holding
   * the write lock (SQLite: `VACUUM INTO` from a read-only connection). Without it, the copy is
   * made with copyDatabase, which on SQLite holds the write lock while it runs.
   */
  snapshotDatabase?(path: string): Promise<void>;
}

const BUSY_MESSAGE = 'Try again later - another backup/restore process has already been started.';

/** A PocketBase-style datetime string (`2026-03-01 09:15:02.000Z`). */
function formatModified(d: Date): string {
  return d.toISOString().replace('T', ' ');
}

/** `Basalt Demo!` → `basalt_demo` (PocketBase uses inflector.Snakecase of the app name). */
function snakeAppName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function nameError(code: string, message: string, params?: Record<string, unknown>): ValidationError {
  return new ValidationError('An error occurred while validating the submitted data.', { name: fieldError(code, message, params) });
}

export class BackupService {
  readonly #app: App;
  readonly #options: BackupServiceOptions | undefined;
  readonly #s3Factory: S3FileStoreFactory | undefined;
  #s3: { signature: string; store: FileStore } | undefined;
  /** The running backup or restore, with the key it works on. */
  #active: { action: 'create' | 'restore'; key: string } | undefined;

  constructor(app: App, options: BackupServiceOptions | undefined, s3Factory: S3FileStoreFactory | undefined) {
    this.#app = app;
    this.#options = options;
    this.#s3Factory = s3Factory;
  }

  /** Whether a new backup or restore can start now (`canBackup` of GET /api/health). */
  get canBackup(): boolean {
    return this.#options !== undefined && this.#active === undefined;
  }

  #configured(): BackupServiceOptions {
    if (!this.#options) throw new BadRequestError('Backups are not configured on this server.');
    return this.#options;
  }

  /** The store holding archives: S3 while `settings.backups.s3.enabled`, else the local one. */
  #store(): FileStore {
    const options = this.#configured();
    const s3 = this.#app.settings.current.backups.s3;
    if (!s3.enabled) return options.store;
    if (!this.#s3Factory) throw new TypeError('settings.backups.s3.enabled is on but this App was opened without an s3FileStore factory');
    const config: S3StoreConfig = { bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, accessKey: s3.accessKey, secret: s3.secret ?? '', forcePathStyle: s3.forcePathStyle };
    const signature = JSON.stringify(config);
    if (this.#s3?.signature !== signature) {
      const previous = this.#s3;
      this.#s3 = { signature, store: this.#s3Factory(config) };
      if (previous) this.#app.runInBackground('close the previous backups S3 store', () => previous.store.close());
    }
    return this.#s3.store;
  }

  /** Takes the lock for `action` on `key`, or throws the 400 PocketBase answers. */
  #lock(action: 'create' | 'restore', key: string): () => void {
    if (this.#active) throw new BadRequestError(BUSY_MESSAGE);
    const active = { action, key };
    this.#active = active;
    return () => {
      if (this.#active === active) this.#active = undefined;
    };
  }

  async #tempDir(prefix: string): Promise<string> {
    const root = this.#configured().tempDir;
    await mkdir(root, { recursive: true });
    return mkdtemp(join(root, prefix));
  }

  /** Every stored backup, newest first. */
  async list(): Promise<BackupInfo[]> {
    const out: Array<BackupInfo & { time: number }> = [];
    for await (const info of this.#store().list('')) {
      if (!isValidBackupKey(info.key)) continue;
      out.push({ key: info.key, size: info.size, modified: formatModified(info.modified), time: info.modified.getTime() });
    }
    // Ties (same modification time) go by key, whose timestamp part sorts by creation time.
    out.sort((a, b) => b.time - a.time || b.key.localeCompare(a.key));
    return out.map(({ time: _t, ...info }) => info);
  }

  /** The default name of a new backup: `pb_backup_<app>_<UTC yyyyMMddHHmmss>.zip`. */
  defaultName(prefix = 'pb_backup_', at: Date = this.#app.now()): string {
    return `${prefix}${snakeAppName(this.#app.settings.current.meta.appName)}_${timestamp(at)}.zip`;
  }

  /**
   * Creates a backup named `name` (validated; default {@link defaultName}) of the database and
   * every stored file. Resolves once the archive is stored; returns its key.
   * Throws a 400 while another backup or restore runs, or when the name is invalid or taken.
   */
  async create(name?: string, onProgress: ProgressListener = () => {}): Promise<string> {
    this.#configured();
    const key = name === undefined || name === '' ? this.defaultName() : name;
    if (typeof key !== 'string' || key.length > MAX_BACKUP_NAME_LENGTH) throw nameError('validation_length_out_of_range', `The length must be between 1 and ${MAX_BACKUP_NAME_LENGTH}.`, { min: 1, max: MAX_BACKUP_NAME_LENGTH });
    if (!BACKUP_NAME_PATTERN.test(key)) throw nameError('validation_match_invalid', 'Must be in a valid format.');
    return this.#create(key, onProgress);
  }

  async #create(key: string, onProgress: ProgressListener): Promise<string> {
    const release = this.#lock('create', key);
    try {
      const store = this.#store();
      if (await store.stat(key)) throw nameError('validation_backup_name_exists', 'Backup file with the specified name already exists.');
      const dir = await this.#tempDir('create-');
      try {
        const database = join(dir, 'data.db');
        onProgress({ phase: 'database', done: 0, total: 0 });
        await this.#snapshot(database, onProgress);
        const archive = join(dir, 'backup.zip');
        await writeBackupArchive(archive, database, this.#app.files, onProgress);
        const { size } = await stat(archive);
        onProgress({ phase: 'upload', done: 0, total: size });
        // Note: written to a file first, so the store gets a known size (S3 needs one) and a
        // failed backup never leaves a partial archive under its key.
        await store.put(key, createReadStream(archive), { contentType: 'application/zip', size });
        onProgress({ phase: 'upload', done: size, total: size });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      onProgress({ phase: 'done', done: 1, total: 1 });
      return key;
    } finally {
      release();
    }
  }

  async #snapshot(path: string, onProgress: ProgressListener): Promise<void> {
    const options = this.#configured();
    if (options.snapshotDatabase) return options.snapshotDatabase(path);
    const target = options.openSqliteFile(path);
    try {
      await copyDatabase(this.#app.db, target, { onProgress: (p) => onProgress({ phase: 'database', done: p.copied, total: p.total, item: p.table }) });
    } finally {
      await target.close();
    }
  }

  /**
   * Stores an uploaded archive under `key` (its file name). `open` is called to read it: once to
   * check it starts like a zip, once to store it. Throws a 400 (`data.file`) for an invalid name,
   * a file that is not a zip, or a name already taken.
   */
  async upload(key: string, size: number, open: () => Readable): Promise<void> {
    const fail = (code: string, message: string) => new ValidationError('An error occurred while validating the submitted data.', { file: fieldError(code, message) });
    if (!isValidBackupKey(key)) throw fail('validation_invalid_backup_name', `The file name must be a .zip name of letters, digits, "_", "-" and "." (at most ${MAX_BACKUP_NAME_LENGTH} characters).`);
    if (!(await startsLikeZip(open()))) throw fail('validation_invalid_mime_type', `"${key}" mime type must be one of: application/zip.`);
    const store = this.#store();
    if (this.#active?.key === key || (await store.stat(key))) throw fail('validation_backup_name_exists', 'Backup file with the specified name already exists.');
    await store.put(key, open(), { contentType: 'application/zip', size });
  }

  /** A stream of the archive `key` for download; 404 when there is none. */
  async read(key: string): Promise<{ stream: Readable; size: number }> {
    if (!isValidBackupKey(key)) throw new NotFoundError();
    const store = this.#store();
    const info = await store.stat(key);
    if (!info) throw new NotFoundError();
    return { stream: await store.read(key), size: info.size };
  }

  /** Deletes the archive `key`; 400 when it is missing or being made or restored. */
  async delete(key: string): Promise<void> {
    if (this.#active?.key === key) throw new BadRequestError(`The backup ${JSON.stringify(key)} is currently in use.`);
    const store = this.#store();
    if (!isValidBackupKey(key) || !(await store.stat(key))) throw new BadRequestError('Invalid or already deleted backup file.');
    await store.delete(key);
  }

  /**
   * Restores the stored backup `key` in place: see {@link restoreFile}.
   * Throws a 400 while another backup or restore runs, or when `key` names no backup.
   */
  async restore(key: string, onProgress: ProgressListener = () => {}): Promise<void> {
    this.#configured();
    const release = this.#lock('restore', String(key));
    try {
      const store = this.#store();
      const info = isValidBackupKey(key) ? await store.stat(key) : undefined;
      if (!info) throw new BadRequestError('Missing or invalid backup file.');
      const dir = await this.#tempDir('restore-');
      try {
        const archive = join(dir, 'backup.zip');
        onProgress({ phase: 'download', done: 0, total: info.size });
        await pipeline(await store.read(key), createWriteStream(archive, { flags: 'wx' }));
        onProgress({ phase: 'download', done: info.size, total: info.size });
        await this.#restoreArchive(archive, dir, onProgress);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      release();
    }
  }

  /**
   * Restores the archive at `path` in place: afterwards the database (collections, records,
   * settings, superusers) and the stored files are exactly the archive's.
   *
   * Guarantees: the whole archive is checked and extracted to a staging folder before anything
   * changes; the database is replaced in one transaction (a failure leaves it as it was) and the
   * App's caches switch to the restored collections when that transaction commits. Then the
   * archive's files are written to the active file store and every other stored file is
   * deleted. Realtime clients are disconnected (they reconnect and subscribe again, as after
   * PocketBase's restart).
   * Does not: make the file phase atomic. If it fails part-way, the database is already restored
   * and the error says so; running the restore again completes it.
   * Throws a 400 for an archive that is not a valid backup (the database is then unchanged).
   */
  async restoreFile(path: string, onProgress: ProgressListener = () => {}): Promise<void> {
    const release = this.#lock('restore', path);
    try {
      const dir = await this.#tempDir('restore-');
      try {
        await this.#restoreArchive(path, dir, onProgress);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      release();
    }
  }

  async #restoreArchive(archive: string, dir: string, onProgress: ProgressListener): Promise<void> {
    let staged: StagedArchive;
    try {
      staged = await extractBackupArchive(archive, join(dir, 'staging'), onProgress);
    } catch (err) {
      if (err instanceof BackupArchiveError) throw new BadRequestError(`Invalid backup archive: ${err.message}.`, { cause: err });
      throw err;
    }
    await this.#restoreDatabase(staged, onProgress);
    await this.#restoreFiles(staged, onProgress);
    // Subscriptions were checked against the old data and auth records; PocketBase's restart
    // drops them too.
    this.#app.realtime.closeClients('shutdown');
    onProgress({ phase: 'done', done: 1, total: 1 });
  }

  async #restoreDatabase(staged: StagedArchive, onProgress: ProgressListener): Promise<void> {
    const app = this.#app;
    let source: Database;
    try {
      source = this.#configured().openSqliteFile(staged.databaseFile);
    } catch (err) {
      throw new BadRequestError('Invalid backup archive: its data.db is not a SQLite database.', { cause: err });
    }
    try {
      const check = await source.get<{ quick_check: string }>('PRAGMA quick_check').catch((err: unknown) => ({ quick_check: (err as Error).message }));
      if (check?.quick_check !== 'ok') throw new BadRequestError('Invalid backup archive: its data.db is damaged.', { cause: new Error(String(check?.quick_check)) });
      onProgress({ phase: 'restore-database', done: 0, total: 0 });
      await copyDatabase(source, app.db, {
        replace: true,
        onProgress: (p) => onProgress({ phase: 'restore-database', done: p.copied, total: p.total, item: p.table }),
        ...rawWriteReload(app, { validate: false }),
      });
    } catch (err) {
      if (err instanceof DatabaseCopyError) throw new BadRequestError(`The backup cannot be restored: ${err.message}.`, { cause: err });
      // Why the archive's data is unusable can quote that data (JSON.parse and PostgreSQL quote the
      // text around a failure, a settings secret say): the superuser restoring sees it, the log does not.
      if (err instanceof RawWriteReloadError) {
        throw withLoggedMessage(new BadRequestError(`The backup cannot be restored: ${err.message}.`, { cause: err }), `The backup cannot be restored: ${err.reason}.`);
      }
      // An engine's refusal of a value (text that is not JSON for a PostgreSQL json column). What
      // is not the archive's fault keeps its own status: a lost connection came as a
      // ServiceUnavailableError, a full disk is a 500.
      if (isRefusedDataError(err)) {
        const refused = new BadRequestError(`The backup cannot be restored: the database refused its data: ${(err as Error).message}.`, { cause: err });
        throw withLoggedMessage(refused, `The backup cannot be restored: the database refused its data: ${REDACTED}.`);
      }
      throw err;
    } finally {
      await source.close();
    }
  }

  async #restoreFiles(staged: StagedArchive, onProgress: ProgressListener): Promise<void> {
    const files = this.#app.files;
    const keep = new Set(staged.files.map((f) => f.key));
    const stale: string[] = [];
    for await (const info of files.list('')) if (isBackedUpFileKey(info.key) && !keep.has(info.key)) stale.push(info.key);
    const total = staged.files.length + stale.length;
    let done = 0;
    onProgress({ phase: 'restore-files', done, total });
    const step = async (work: Promise<void>) => {
      await work;
      onProgress({ phase: 'restore-files', done: ++done, total });
    };
    try {
      // The size lets stores that need one up front (S3) stream the file.
      await inParallel(staged.files, ({ key, size }) => step(files.put(key, readStagedFile(staged, key), { size })));
      await inParallel(stale, (key) => step(files.delete(key)));
    } catch (err) {
      throw new Error(`the database was restored, but restoring the stored files failed after ${done} of ${total} steps; restore the backup again to finish`, { cause: err });
    }
  }

  /**
   * Makes an automatic backup named after `now`, then deletes the oldest automatic backups
   * beyond `cronMaxKeep`. Resolves with the new key, or undefined when backups are not
   * configured or another backup or restore is running (skipped, as PocketBase does).
   * The scheduler decides when (`settings.backups.cron`); this does not look at the schedule.
   */
  async runAutoBackup(now: Date = this.#app.now()): Promise<string | undefined> {
    if (!this.#options || this.#active) return undefined;
    const { cronMaxKeep } = this.#app.settings.current.backups;
    const key = this.defaultName(AUTO_BACKUP_PREFIX, now);
    await this.#create(key, () => {});
    await this.pruneAutoBackups(cronMaxKeep);
    return key;
  }

  /** Deletes the oldest automatic backups so that at most `keep` remain. */
  async pruneAutoBackups(keep: number): Promise<string[]> {
    const autos = (await this.list()).filter((b) => b.key.startsWith(AUTO_BACKUP_PREFIX));
    const excess = autos.slice(Math.max(1, keep));
    for (const b of excess) await this.#store().delete(b.key);
    return excess.map((b) => b.key);
  }

  /**
   * Removes, as a background task of the App, the work folders older than LEFTOVER_AGE_MS that a
   * crashed process left in the scratch folder (`basalt serve` calls it when it starts).
   */
  removeInterruptedWork(): void {
    if (!this.#options) return;
    const tempDir = this.#options.tempDir;
    this.#app.runInBackground('remove the work folders of interrupted backups', () => removeLeftovers(tempDir, this.#app.now()));
  }

  /** Waits for the App's background work, closes the stores. */
  async close(): Promise<void> {
    await this.#app.idle();
    await this.#s3?.store.close();
    await this.#options?.store.close();
  }
}

/** Age after which a work folder in `tempDir` is taken for the leftover of a crashed process. */
export const LEFTOVER_AGE_MS = 24 * 60 * 60 * 1000;

/** Removes `create-…`/`restore-…` work folders older than LEFTOVER_AGE_MS (a crash left them). */
async function removeLeftovers(tempDir: string, now: Date): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!/^(create|restore)-/.test(name)) continue;
    const path = join(tempDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory() && now.getTime() - info.mtimeMs > LEFTOVER_AGE_MS) await rm(path, { recursive: true, force: true });
  }
}

/** How many files a restore writes or deletes at a time (a remote store answers each one slowly). */
export const RESTORE_FILE_CONCURRENCY = 8;

/**
 * Runs `task` over `items`, RESTORE_FILE_CONCURRENCY at a time. After a failure no new task
 * starts; once the running ones have settled it rejects with the first failure (so the staging
 * folder is never removed under a task still reading it).
 */
async function inParallel<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(RESTORE_FILE_CONCURRENCY, items.length) }, worker));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Whether the stream starts with a zip signature (local file header or empty archive). */
async function startsLikeZip(stream: Readable): Promise<boolean> {
  const head: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      head.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= 4) break;
    }
  } finally {
    stream.destroy();
  }
  const b = Buffer.concat(head);
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 0x03 && b[3] === 0x04) || (b[2] === 0x05 && b[3] === 0x06));
}

export type { BackupProgress, ProgressListener };
