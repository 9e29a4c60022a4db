/**
 * Authentication of auth-collection records: resolving a presented token, signing in with a
 * password (spec §6.3), refreshing (spec §6.4), and the shared auth response (spec §6.1).
 * @module
 */
import { verifyPassword } from '../../auth/password.ts';
import { peekToken, signToken, verifyToken } from '../../auth/tokens.ts';
import type { App } from '../app.ts';
import { isAuthCollection, type AuthCollectionModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { findRecordById } from '../records/record-finder.ts';
import { rowToRecord, type RecordData } from '../records/record.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { reader, type AuthState, type OperationContext } from './context.ts';

/** Auth collection of an auth route, or 404 (spec §6). */
export function authCollectionOrThrow(ctx: OperationContext, idOrName: string): AuthCollectionModel {
  const c = ctx.app.collections.find(idOrName);
  if (!c || !isAuthCollection(c)) throw new NotFoundError('Missing or invalid auth collection context.');
  return c;
}

/**
 * Resolves an `Authorization` token to its record. Anything wrong with the token (format, type,
 * signature, expiry, missing record) yields null: the request continues as a guest (spec §11.1).
 */
export async function resolveAuthToken(app: App, token: string | undefined): Promise<AuthState | null> {
  if (!token) return null;
  const raw = token.replace(/^bearer\s+/i, '').trim();
  const now = app.now();
  const claims = peekToken(raw, 'auth', now);
  if (!claims) return null;
  const collection = app.collections.find(claims.collectionId);
  if (!collection || !isAuthCollection(collection) || collection.id !== claims.collectionId) return null;
  const record = await findRecordById(app.db, app.db.dialect, collection, claims.id);
  if (!record) return null;
  const verified = await verifyToken(raw, String(record.tokenKey ?? '') + (collection.authToken.secret ?? ''), 'auth', now);
  if (!verified) return null;
  return { collection, record, token: { raw, refreshable: verified.refreshable === true } };
}

/** Signs a new auth token for `record`. */
export function newAuthToken(app: App, collection: AuthCollectionModel, record: RecordData, options: { refreshable?: boolean; duration?: number } = {}): Promise<string> {
  return signToken(
    { id: String(record.id), type: 'auth', collectionId: collection.id, refreshable: options.refreshable ?? true },
    String(record.tokenKey ?? '') + (collection.authToken.secret ?? ''),
    options.duration ?? collection.authToken.duration,
    app.now(),
  );
}

export interface AuthResponse {
  token: string;
  record: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** Checks the collection's authRule for `record` (spec §6.1 step 2). */
async function checkAuthRule(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData): Promise<void> {
  const rule = collection.authRule;
  const failed = 'The request doesn\'t satisfy the collection requirements to authenticate.';
  if (rule === null) throw new ForbiddenError(failed);
  const asRecord: OperationContext = { ...ctx, auth: { collection, record } };
  if (!(await storedRowSatisfies(asRecord, reader(ctx), collection, rule, String(record.id)))) throw new ForbiddenError(failed);
}

/** The `{token, record}` response, with the record as it sees itself. */
export async function authResponse(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData, token: string, expand?: string): Promise<AuthResponse> {
  const self: OperationContext = { ...ctx, auth: { collection, record } };
  const [json] = await enrichRecords(self, reader(ctx), collection, [record], { expand, showEmail: true });
  return { token, record: json };
}

const EMAIL_SHAPE = /^[^@\s]+@[^@\s]+$/;

export interface PasswordAuthInput {
  identity?: unknown;
  password?: unknown;
  identityField?: unknown;
}

export async function recordAuthWithPassword(ctx: OperationContext, collectionIdOrName: string, body: PasswordAuthInput, options: { expand?: string } = {}): Promise<AuthResponse> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!collection.passwordAuth.enabled) throw new ForbiddenError('The collection is not configured to allow password authentication.');
  const errors: FieldErrors = {};
  const identity = typeof body.identity === 'string' ? body.identity : body.identity == null ? '' : String(body.identity);
  const password = typeof body.password === 'string' ? body.password : body.password == null ? '' : String(body.password);
  if (identity === '') errors.identity = fieldError('validation_required', 'Cannot be blank.');
  else if (identity.length > 255) errors.identity = fieldError('validation_length_out_of_range', 'The length must be between 1 and 255.', { min: 1, max: 255 });
  if (password === '') errors.password = fieldError('validation_required', 'Cannot be blank.');
  else if (password.length > 255) errors.password = fieldError('validation_length_out_of_range', 'The length must be between 1 and 255.', { min: 1, max: 255 });
  const identityFields = collection.passwordAuth.identityFields;
  let fields = identityFields;
  if (body.identityField !== undefined && body.identityField !== '') {
    if (typeof body.identityField !== 'string' || !identityFields.includes(body.identityField)) errors.identityField = fieldError('validation_in_invalid', 'Must be a valid value.');
    else fields = [body.identityField];
  }
  if (Object.keys(errors).length) throw new ValidationError('An error occurred while validating the submitted data.', errors);

  const ordered = [...fields].sort((a, b) => (a === 'email' ? -1 : b === 'email' ? 1 : 0));
  let record: RecordData | undefined;
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  for (const name of ordered) {
    if (name === 'email' && !EMAIL_SHAPE.test(identity)) continue;
    const field = findField(collection, name);
    if (!field) continue;
    const row = await reader(ctx).get<Record<string, never>>(`SELECT * FROM ${q(collection.name)} WHERE ${q(field.name)} = ? LIMIT 1`, [identity]);
    if (row) {
      record = rowToRecord(collection, row);
      break;
    }
  }
  // Same answer, and the same hashing time, whether or not the account exists.
  const ok = await verifyPassword(password, record ? String(record.password ?? '') : undefined);
  if (!record || !ok) throw new BadRequestError('Failed to authenticate.');
  const authCtx: OperationContext = { ...ctx, requestContext: 'password' };
  await checkAuthRule(authCtx, collection, record);
  const token = await newAuthToken(ctx.app, collection, record);
  return authResponse(ctx, collection, record, token, options.expand);
}

export async function recordAuthRefresh(ctx: OperationContext, collectionIdOrName: string, options: { expand?: string } = {}): Promise<AuthResponse> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!ctx.auth) throw new UnauthorizedError('The request requires valid record authorization token.');
  if (ctx.auth.collection.id !== collection.id) throw new ForbiddenError(`The request requires auth record from ${collection.name} collection.`);
  const record = await findRecordById(reader(ctx), ctx.app.db.dialect, collection, ctx.auth.record.id);
  if (!record) throw new UnauthorizedError('The request requires valid record authorization token.');
  await checkAuthRule(ctx, collection, record);
  const token = ctx.auth.token && !ctx.auth.token.refreshable ? ctx.auth.token.raw : await newAuthToken(ctx.app, collection, record);
  return authResponse(ctx, collection, record, token, options.expand);
}
