/**
 * Uploads of file fields (spec §3.5.4): stored-name normalisation, content sniffing, writing new
 * files before the commit (removed again if the transaction rolls back) and deleting replaced
 * files after it, so storage never keeps an orphan.
 * Storage layout: `<collectionId>/<recordId>/<filename>`, thumbnails under
 * `<collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>`.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SNIFF_BYTES, sniffContentType } from '../../files/content-type.ts';
import type { FileStore } from '../../files/types.ts';
import type { App } from '../app.ts';
import type { CollectionModel, FieldModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import type { RecordData } from './record.ts';

/**
 * One uploaded file as a transport hands it to an operation. Its content lives outside memory
 * (the REST transport streams it to a temporary file), so `open` may be called more than once.
 */
export interface FileUpload {
  /** The client's file name, without any directory part; may be `''`. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** A fresh stream of the whole content. */
  open(): Readable;
  /** A local file holding the content, which a store may link instead of copying it. */
  path?: string;
}

/** Uploads of one create/update, by body key: `documents`, `documents+` or `+documents`. */
export type RecordUploads = Readonly<Record<string, readonly FileUpload[]>>;

/** An upload with its stored name and sniffed type, ready to be written. */
export interface PreparedUpload {
  upload: FileUpload;
  /** The normalised stored filename (`my_photo_x8k2m0q1zt.jpg`). */
  filename: string;
  /** The MIME type sniffed from the content (never the client's claim). */
  contentType: string;
}

/** Prepared uploads by body key. */
export type PreparedUploads = ReadonlyMap<string, readonly PreparedUpload[]>;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(length = 10): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/**
 * snake_case of any text, keeping Unicode letters and digits (mirrors PocketBase
 * tools/inflector.Snakecase: words split at non-alphanumerics, `myTestDB` → `my_test_db`).
 */
export function snakeCase(text: string): string {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const parts = words.map((word) => {
    let out = '';
    const chars = [...word];
    chars.forEach((c, i) => {
      const upper = c !== c.toLowerCase() && c === c.toUpperCase();
      const prevUpper = i > 0 && chars[i - 1] !== chars[i - 1].toLowerCase() && chars[i - 1] === chars[i - 1].toUpperCase();
      if (upper && i > 0 && !prevUpper) out += '_';
      out += c;
    });
    return out;
  });
  return parts.join('_').toLowerCase();
}

/**
 * The stored name of an upload (spec §3.5.4; mirrors PocketBase tools/filesystem normalizeName):
 * `<snake_cased base, ≤100 chars, random-padded when under 3>_<10 random [a-z0-9]>.<ext>`, the
 * extension cleaned to `[\w.*\-+=#]`, at most 20 characters, and taken from the sniffed type when
 * the client gave none.
 */
export function normalizeFilename(original: string, sniffedExt: string): string {
  const dot = original.lastIndexOf('.');
  const originalExt = dot > 0 ? original.slice(dot) : dot === 0 && original.indexOf('.', 1) === -1 ? original : '';
  let ext = originalExt.replace(/[^\w.*\-+=#]+/g, '');
  if (ext === '' || ext === '.') ext = sniffedExt ? `.${sniffedExt}` : '';
  if (ext.length > 20) ext = `.${ext.slice(ext.length - 20).replace(/^\.+/, '')}`;
  let base = snakeCase(original.slice(0, original.length - originalExt.length));
  if ([...base].length < 3) base += randomSuffix();
  else if ([...base].length > 100) base = [...base].slice(0, 100).join('');
  return `${base}_${randomSuffix()}${ext}`;
}

async function readHead(upload: FileUpload, bytes: number): Promise<Buffer> {
  const stream = upload.open();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

/** Which body key carries uploads for which file field; `field-` never does (spec §3.5.4). */
export function uploadField(collection: CollectionModel, key: string): FieldModel | undefined {
  const name = key.endsWith('+') ? key.slice(0, -1) : key.startsWith('+') ? key.slice(1) : key;
  const field = findField(collection, name);
  return field?.type === 'file' ? field : undefined;
}

/**
 * Sniffs and names every upload whose key belongs to a file field of `collection`; the others are
 * dropped, as PocketBase ignores files under unknown keys. Runs before the transaction: it reads
 * the first bytes of each file.
 */
export async function prepareUploads(collection: CollectionModel, uploads: RecordUploads | undefined): Promise<PreparedUploads> {
  const out = new Map<string, PreparedUpload[]>();
  if (!uploads) return out;
  for (const [key, files] of Object.entries(uploads)) {
    if (!uploadField(collection, key) || files.length === 0) continue;
    const prepared: PreparedUpload[] = [];
    for (const upload of files) {
      const sniffed = await sniffContentType(await readHead(upload, SNIFF_BYTES));
      prepared.push({ upload, filename: normalizeFilename(upload.name, sniffed.ext), contentType: sniffed.mime });
    }
    out.set(key, prepared);
  }
  return out;
}

/** The filenames a file value holds. */
export function fileNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** The key of a stored record file. */
export function recordFileKey(collectionId: string, recordId: string, filename: string): string {
  return `${collectionId}/${recordId}/${filename}`;
}

/** The folder of a record's files, thumbnails included. */
export function recordFolderKey(collectionId: string, recordId: string): string {
  return `${collectionId}/${recordId}/`;
}

/** The key of a cached thumbnail of the file stored at `fileKey`. */
export function thumbKey(fileKey: string, size: string): string {
  const slash = fileKey.lastIndexOf('/');
  const filename = fileKey.slice(slash + 1);
  return `${fileKey.slice(0, slash)}/thumbs_${filename}/${size}_${filename}`;
}

/** Where a save's file work is queued: run after commit, or after rollback. */
export interface FileSaveHooks {
  afterCommit: Array<() => Promise<void>>;
  afterRollback?: Array<() => Promise<void>>;
}

/**
 * Writes the uploads that made it into the record's final values, before the row is written.
 * Each written file is queued for deletion should the transaction roll back; files the save
 * removed (replaced, `field-`, cleared) are queued for deletion after the commit.
 */
export async function saveRecordFiles(app: App, hooks: FileSaveHooks, collection: CollectionModel, data: RecordData, newFiles: ReadonlyMap<string, PreparedUpload>, original?: RecordData): Promise<void> {
  const recordId = String(data.id);
  const store = app.files;
  const keep = new Set<string>();
  const removed: string[] = [];
  for (const field of collection.fields) {
    if (field.type !== 'file') continue;
    const now = fileNames(data[field.name]);
    for (const name of now) keep.add(name);
    if (original) for (const name of fileNames(original[field.name])) if (!now.includes(name)) removed.push(name);
  }
  for (const [filename, prepared] of newFiles) {
    if (!keep.has(filename)) continue;
    const key = recordFileKey(collection.id, recordId, filename);
    // Queued before the write: a write that fails halfway must not leave a partial object either.
    hooks.afterRollback?.push(() => store.delete(key));
    const options = { contentType: prepared.contentType, size: prepared.upload.size };
    if (prepared.upload.path && store.putFile) await store.putFile(key, prepared.upload.path, options);
    else await store.put(key, prepared.upload.open(), options);
  }
  const toDelete = removed.filter((name) => !keep.has(name));
  if (toDelete.length) hooks.afterCommit.push(() => deleteRecordFiles(app, store, collection.id, recordId, toDelete));
}

/** Deletes files and their thumbnails; failures are logged (the record is already saved). */
async function deleteRecordFiles(app: App, store: FileStore, collectionId: string, recordId: string, filenames: string[]): Promise<void> {
  for (const name of filenames) {
    try {
      await store.delete(recordFileKey(collectionId, recordId, name));
      await store.deletePrefix(`${collectionId}/${recordId}/thumbs_${name}/`);
    } catch (err) {
      app.logger.error({ err, collectionId, recordId, file: name }, 'could not delete a replaced file');
    }
  }
}

/** Queues, after the commit, the deletion of a deleted record's whole folder. */
export function deleteRecordFolderAfterCommit(app: App, afterCommit: Array<() => Promise<void>>, collection: CollectionModel, recordId: string): void {
  if (!collection.fields.some((f) => f.type === 'file')) return;
  const store = app.files;
  afterCommit.push(async () => {
    try {
      await store.deletePrefix(recordFolderKey(collection.id, recordId));
    } catch (err) {
      app.logger.error({ err, collectionId: collection.id, recordId }, "could not delete a deleted record's files");
    }
  });
}
