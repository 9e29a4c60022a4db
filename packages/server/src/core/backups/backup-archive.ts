/**
 * The backup archive: a zip holding the database as a SQLite file (`data.db`) and every stored file
 * under `storage/<key>`, like PocketBase's zip of pb_data. Writing streams each file from its
 * store into the zip; reading checks every entry (names, sizes, CRC-32) while extracting it to a
 * staging folder, so nothing is changed until the whole archive is known to be sound.
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { isValidFileKey } from '../../files/file-key.ts';
import type { FileStore, StoredFileInfo } from '../../files/types.ts';

/** The archive entry holding the database. */
export const ARCHIVE_DATABASE_ENTRY = 'data.db';
/** The folder of the archive holding stored files. */
export const ARCHIVE_STORAGE_PREFIX = 'storage/';
/** Most entries an archive may hold (a guard against a central directory built to exhaust memory). */
export const MAX_ARCHIVE_ENTRIES = 5_000_000;

/**
 * Whether a store key is one of the files a backup covers. Basalt stores files in folders
 * (`{collectionId}/{recordId}/{filename}`); keys at the root are left out both ways, so that a
 * bucket shared by the files and the backups never has its backups archived, overwritten or
 * deleted by a restore.
 */
export function isBackedUpFileKey(key: string): boolean {
  return key.includes('/') && isValidFileKey(key);
}

/** Progress of a backup or restore: a phase and, where countable, how far it got. */
export interface BackupProgress {
  phase: 'database' | 'files' | 'upload' | 'download' | 'extract' | 'restore-database' | 'restore-files' | 'done';
  done: number;
  total: number;
  /** What `done` and `total` count within the phase, when it goes item by item (a table's name). */
  item?: string;
}

export type ProgressListener = (progress: BackupProgress) => void;

/** The archive is not a usable backup (not a zip, truncated, corrupt, unsafe names…). */
export class BackupArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupArchiveError';
  }
}

/**
 * Writes the archive to `target` (a file path): `databaseFile` as `data.db`, then every object
 * of `files` (listed first, streamed one at a time).
 * Note: files written while the archive is made may or may not be in it; the database part is
 * the consistent snapshot it was given. Sizes are not declared up front, so an object rewritten
 * meanwhile is archived as read rather than failing the backup.
 */
export async function writeBackupArchive(target: string, databaseFile: string, files: FileStore, onProgress: ProgressListener = () => {}): Promise<void> {
  const objects: StoredFileInfo[] = [];
  for await (const info of files.list('')) if (isBackedUpFileKey(info.key)) objects.push(info);
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, createWriteStream(target, { flags: 'wx', flush: true }));
  // A file that cannot be opened or read part-way must fail the archive rather than hang it
  // (yazl does not watch its input streams), and an error of yazl itself must not go unhandled.
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    (zip.outputStream as unknown as { destroy(e: unknown): void }).destroy(err);
  };
  zip.on('error', fail);
  zip.addFile(databaseFile, ARCHIVE_DATABASE_ENTRY, { compress: true });
  onProgress({ phase: 'files', done: 0, total: objects.length });
  objects.forEach((info, i) => {
    zip.addReadStreamLazy(`${ARCHIVE_STORAGE_PREFIX}${info.key}`, { mtime: info.modified }, (cb) => {
      onProgress({ phase: 'files', done: i, total: objects.length });
      files.read(info.key).then(
        (stream) => {
          stream.on('error', fail);
          cb(null, stream);
        },
        (err) => {
          fail(err);
          cb(err, undefined as never);
        },
      );
    });
  });
  zip.end();
  try {
    await written;
  } catch (err) {
    throw failure ?? err;
  }
  onProgress({ phase: 'files', done: objects.length, total: objects.length });
}

/** What {@link extractBackupArchive} staged. */
export interface StagedArchive {
  /** The extracted database file. */
  databaseFile: string;
  /** The folder holding the extracted files, by their store key. */
  storageDir: string;
  /** The extracted files by store key, with their sizes, in archive order. */
  files: Array<{ key: string; size: number }>;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // strictFileNames refuses `\` in names; yauzl itself refuses absolute and `..` paths.
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

async function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  if (zip.entryCount > MAX_ARCHIVE_ENTRIES) throw new BackupArchiveError(`the archive has ${zip.entryCount} entries (at most ${MAX_ARCHIVE_ENTRIES})`);
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Counts a stream's CRC-32 and bytes as it passes. */
function checksum(): Transform & { crc: number; bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      t.crc = crc32(chunk, t.crc);
      t.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { crc: number; bytes: number };
  t.crc = 0;
  t.bytes = 0;
  return t;
}

/**
 * Checks the archive at `path` and extracts it into `stagingDir` (which must be empty or new).
 * Refuses (BackupArchiveError): a file that is not a readable zip, encrypted entries, any name
 * other than `data.db`, `storage/<folder>/<…>` (a valid file key, {@link isBackedUpFileKey}) and
 * folder entries, duplicates, an archive
 * without `data.db`, declared sizes larger than the free space of `stagingDir`, and any entry
 * whose content does not match its declared size or CRC-32 (a forged header of a zip bomb).
 */
export async function extractBackupArchive(path: string, stagingDir: string, onProgress: ProgressListener = () => {}): Promise<StagedArchive> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw new BackupArchiveError(`the file is not a readable zip archive (${(err as Error).message})`, { cause: err });
  }
  try {
    let entries: yauzl.Entry[];
    try {
      entries = await readEntries(zip);
    } catch (err) {
      if (err instanceof BackupArchiveError) throw err;
      throw new BackupArchiveError(`the zip archive is corrupt (${(err as Error).message})`, { cause: err });
    }
    const files = entries.filter((e) => !e.fileName.endsWith('/'));
    const seen = new Set<string>();
    let declared = 0;
    for (const e of files) {
      const name = e.fileName;
      if (name !== ARCHIVE_DATABASE_ENTRY && !(name.startsWith(ARCHIVE_STORAGE_PREFIX) && isBackedUpFileKey(name.slice(ARCHIVE_STORAGE_PREFIX.length)))) {
        throw new BackupArchiveError(`the archive holds an entry that is not part of a backup: ${JSON.stringify(name.slice(0, 200))}`);
      }
      if (seen.has(name)) throw new BackupArchiveError(`the archive holds ${JSON.stringify(name.slice(0, 200))} twice`);
      seen.add(name);
      if (e.isEncrypted()) throw new BackupArchiveError('the archive is encrypted');
      declared += e.uncompressedSize;
    }
    if (!seen.has(ARCHIVE_DATABASE_ENTRY)) throw new BackupArchiveError(`the archive holds no ${ARCHIVE_DATABASE_ENTRY}: it is not a backup`);
    await mkdir(stagingDir, { recursive: true });
    const fs = await statfs(stagingDir);
    const free = fs.bavail * fs.bsize;
    if (declared > free) throw new BackupArchiveError(`the archive would take ${declared} bytes once extracted, more than the ${free} bytes free`);

    const storageDir = join(stagingDir, 'storage');
    const extracted: StagedArchive['files'] = [];
    let done = 0;
    onProgress({ phase: 'extract', done, total: declared });
    for (const e of files) {
      const isDatabase = e.fileName === ARCHIVE_DATABASE_ENTRY;
      const key = isDatabase ? '' : e.fileName.slice(ARCHIVE_STORAGE_PREFIX.length);
      const target = isDatabase ? join(stagingDir, ARCHIVE_DATABASE_ENTRY) : join(storageDir, ...key.split('/'));
      await mkdir(dirname(target), { recursive: true });
      const sum = checksum();
      try {
        const stream = await zip.openReadStreamPromise(e);
        await pipeline(stream, sum, createWriteStream(target, { flags: 'wx' }));
      } catch (err) {
        throw new BackupArchiveError(`the archive entry ${JSON.stringify(e.fileName.slice(0, 200))} is corrupt (${(err as Error).message})`, { cause: err });
      }
      if (sum.bytes !== e.uncompressedSize || sum.crc >>> 0 !== e.crc32 >>> 0) {
        throw new BackupArchiveError(`the archive entry ${JSON.stringify(e.fileName.slice(0, 200))} is corrupt (size or checksum mismatch)`);
      }
      if (!isDatabase) extracted.push({ key, size: e.uncompressedSize });
      done += e.uncompressedSize;
      onProgress({ phase: 'extract', done, total: declared });
    }
    return { databaseFile: join(stagingDir, ARCHIVE_DATABASE_ENTRY), storageDir, files: extracted };
  } finally {
    zip.close();
  }
}

/** Opens a staged file for copying into a store. */
export function readStagedFile(staged: StagedArchive, key: string): Readable {
  return createReadStream(join(staged.storageDir, ...key.split('/')));
}
