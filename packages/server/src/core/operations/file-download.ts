/**
 * Resolves a file download (spec §8.1, §8.3): which stored object answers
 * `GET /api/files/{collection}/{recordId}/{filename}`, after the checks that decide whether it
 * may be served (the file must belong to the record; protected files obey the view rule with the
 * `?token=` file token), generating and caching the requested thumbnail on first use.
 * @module
 */
import { peekToken, verifyToken } from '../../auth/tokens.ts';
import { contentTypeOfName, THUMBABLE_TYPES } from '../../files/content-type.ts';
import { isValidFileKey } from '../../files/file-key.ts';
import { createThumbnail, parseThumbSize } from '../../files/thumbnails.ts';
import type { FileStore, StoredFileInfo } from '../../files/types.ts';
import { findField, isAuthCollection, type CollectionModel, type FieldModel } from '../collections/collection.ts';
import { viewSources } from '../collections/collection-view-sources.ts';
import { fieldTypeOf } from '../fields/registry.ts';
import { NotFoundError } from '../errors.ts';
import { isStoredFilename } from '../fields/file-field.ts';
import { fileNames, recordFileKey, thumbKey } from '../records/record-files.ts';
import { findRecordById } from '../records/record-finder.ts';
import type { RecordData } from '../records/record.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { ipInList } from '../settings/rate-limits.ts';
import { deriveContext, reader, SUPERUSERS, type AuthState, type OperationContext } from './context.ts';
import { tokenKeyOf } from './record-auth.ts';

/** The thumb size every image gets besides the field's own `thumbs` (spec §8.1). */
export const DEFAULT_THUMB_SIZE = '100x100';

/** What to send for a download: an object of `store`, its metadata and how to present it. */
export interface FileDownload {
  store: FileStore;
  key: string;
  info: StoredFileInfo;
  /** The name shown in Content-Disposition (the stored filename). */
  filename: string;
  contentType: string;
}

/** Options of {@link fileDownload}: the request's `thumb` and `token` query parameters. */
export interface FileDownloadOptions {
  thumb?: string;
  token?: string;
}

/** The record a `file` token names, or null for a missing, invalid or expired token (spec §11.3). */
async function fileTokenAuth(ctx: OperationContext, raw: string | undefined): Promise<AuthState | null> {
  if (!raw) return null;
  const now = ctx.app.now();
  const claims = peekToken(raw, 'file', now);
  const collection = claims ? ctx.app.collections.find(claims.collectionId) : undefined;
  if (!claims || !collection || !isAuthCollection(collection) || collection.id !== claims.collectionId) return null;
  const record = await findRecordById(reader(ctx), ctx.app.db.dialect, collection, claims.id);
  if (!record) return null;
  const verified = await verifyToken(raw, tokenKeyOf(collection, record, 'file'), 'file', now);
  if (!verified || verified.id !== record.id || verified.collectionId !== collection.id) return null;
  // A superuser token from outside `superuserIPs` counts as no token (spec §8.3).
  const allowed = ctx.app.settings.current.superuserIPs;
  if (collection.name === SUPERUSERS && allowed.length > 0 && !ipInList(ctx.ip, allowed)) return null;
  return { collection, record };
}

/** Whether the protected file of `record` may be read: the view rule with the file token's record. */
async function canReadProtected(ctx: OperationContext, collection: CollectionModel, record: RecordData, token: string | undefined): Promise<boolean> {
  const auth = await fileTokenAuth(ctx, token);
  if (auth?.collection.name === SUPERUSERS) return true;
  if (collection.viewRule === null || collection.viewRule === undefined) return false;
  const ruleCtx: OperationContext = deriveContext(ctx, { auth, requestContext: 'protectedFile' });
  return storedRowSatisfies(ruleCtx, reader(ctx), collection, collection.viewRule, String(record.id));
}

/**
 * The storage key of a file shown through a view collection (spec §8.1): views have no folder of
 * their own, so the file is found in a collection the view reads, in the file field of the same
 * name (view fields take their definition from the table column of that name; a view read by a
 * view gives no file fields). Stored names carry 10 random characters, so the name identifies
 * the record.
 */
async function viewFileKey(ctx: OperationContext, view: CollectionModel, fieldName: string, filename: string): Promise<string | undefined> {
  const dialect = ctx.app.db.dialect;
  const q = dialect.quote.bind(dialect);
  for (const source of viewSources(view, ctx.app.collections.all())) {
    if (source.type === 'view') continue;
    const field = findField(source, fieldName);
    if (field?.type !== 'file') continue;
    const row = fieldTypeOf(field).isMultiple(field)
      ? await reader(ctx).get<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q(source.name)} _s WHERE EXISTS (SELECT 1 FROM ${dialect.jsonEach(`_s.${q(field.name)}`, '_je')} WHERE _je.value = ?)`, [filename])
      : await reader(ctx).get<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q(source.name)} WHERE ${q(field.name)} = ?`, [filename]);
    if (row) return recordFileKey(source.id, String(row.id), filename);
  }
  return undefined;
}

/** Thumbnails being generated, so concurrent first requests for one thumb make it once. */
const pendingThumbs = new Map<string, Promise<StoredFileInfo | undefined>>();

function thumbContentType(sourceType: string): string {
  return sourceType === 'image/jpeg' || sourceType === 'image/gif' ? sourceType : 'image/png';
}

/**
 * The stored thumbnail of `key`, generated and stored on first use; `undefined` when it cannot be
 * made (the original is served instead, spec §8.1).
 */
async function ensureThumb(ctx: OperationContext, store: FileStore, source: string, target: string, size: string, sourceType: string): Promise<StoredFileInfo | undefined> {
  const cached = await store.stat(target);
  if (cached) return cached;
  let pending = pendingThumbs.get(target);
  if (!pending) {
    pending = (async () => {
      try {
        const thumb = await createThumbnail(await store.read(source), sourceType, parseThumbSize(size)!);
        await store.put(target, thumb, { contentType: thumbContentType(sourceType), size: thumb.length });
        return await store.stat(target);
      } catch (err) {
        ctx.app.logger.error({ err, key: source, thumb: size }, 'thumbnail generation failed; serving the original');
        return undefined;
      }
    })().finally(() => pendingThumbs.delete(target));
    pendingThumbs.set(target, pending);
  }
  return pending;
}

/**
 * Resolves the object a download serves. Everything that hides a file answers 404 (spec §8.3):
 * unknown collection, record or filename, a filename no file field of the record holds, a
 * protected file the token's record may not view. A `thumb` that is not allowed for the field, or
 * for a non-image, serves the original.
 */
export async function fileDownload(ctx: OperationContext, collectionIdOrName: string, recordId: string, filename: string, options: FileDownloadOptions = {}): Promise<FileDownload> {
  const collection = ctx.app.collections.find(collectionIdOrName);
  if (!collection || !isStoredFilename(filename) || filename === '' || !isValidFileKey(recordFileKey(collection.id, recordId, filename))) throw new NotFoundError();
  const record = await findRecordById(reader(ctx), ctx.app.db.dialect, collection, recordId);
  if (!record) throw new NotFoundError();
  const field: FieldModel | undefined = collection.fields.find((f) => f.type === 'file' && fileNames(record[f.name]).includes(filename));
  if (!field) throw new NotFoundError();
  if (field.protected === true && !(await canReadProtected(ctx, collection, record, options.token))) throw new NotFoundError();

  const store = ctx.app.files;
  const key = collection.type === 'view' ? await viewFileKey(ctx, collection, field.name, filename) : recordFileKey(collection.id, String(record.id), filename);
  const info = key ? await store.stat(key) : undefined;
  if (!key || !info) throw new NotFoundError();
  const contentType = contentTypeOfName(filename);
  const size = options.thumb;
  const thumbs = Array.isArray(field.thumbs) ? field.thumbs.map(String) : [];
  if (size && THUMBABLE_TYPES.has(contentType) && parseThumbSize(size) && (size === DEFAULT_THUMB_SIZE || thumbs.includes(size))) {
    const target = thumbKey(key, size);
    const thumb = await ensureThumb(ctx, store, key, target, size, contentType);
    if (thumb) return { store, key: target, info: thumb, filename, contentType: thumbContentType(contentType) };
  }
  return { store, key, info, filename, contentType };
}
