/**
 * Authentication of auth-collection records: resolving a presented token, signing in with a
 * password (spec §6.3), refreshing (spec §6.4), the tokens of the e-mail flows (§11.3), and the
 * shared end of every sign-in (§6.1: superuser networks, authRule, MFA, response, new-location alert).
 * @module
 */
import { verifyPassword } from '../../auth/password.ts';
import { peekToken, signToken, verifyToken, type TokenClaims, type TokenType } from '../../auth/tokens.ts';
import { noteAuthOrigin } from '../auth/auth-origins.ts';
import { applyMfa, type AuthMethod } from '../auth/mfa.ts';
import type { App } from '../app.ts';
import { isAuthCollection, type AuthCollectionModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { findRecordById } from '../records/record-finder.ts';
import { rowToRecord, type RecordData } from '../records/record.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { ipInList } from '../settings/rate-limits.ts';
import { deriveContext, SUPERUSERS, reader, type AuthState, type OperationContext } from './context.ts';

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
  const verified = await verifyToken(raw, tokenKeyOf(collection, record, 'auth'), 'auth', now);
  // The payload was read before the signature was checked; trust only the verified claims.
  if (!verified || verified.id !== record.id || verified.collectionId !== collection.id) return null;
  return { collection, record, token: { raw, refreshable: verified.refreshable === true } };
}

/** Signs a new auth token for `record`. */
export function newAuthToken(app: App, collection: AuthCollectionModel, record: RecordData, options: { refreshable?: boolean; duration?: number } = {}): Promise<string> {
  return signToken(
    { id: String(record.id), type: 'auth', collectionId: collection.id, refreshable: options.refreshable ?? true },
    tokenKeyOf(collection, record, 'auth'),
    options.duration ?? collection.authToken.duration,
    app.now(),
  );
}

export interface AuthResponse {
  token: string;
  record: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** A first factor succeeded and a second one is needed: answered as 401 `{mfaId}` (spec §6.6). */
export interface MfaChallenge {
  mfaId: string;
}

/** What a sign-in operation returns. */
export type AuthResult = AuthResponse | MfaChallenge;

export function isMfaChallenge(result: AuthResult): result is MfaChallenge {
  return 'mfaId' in result && !('token' in result);
}

/** Token types other than `auth`, each signed with its own collection secret (spec §11.3). */
export type RecordTokenType = Exclude<TokenType, 'auth'>;

const TOKEN_CONFIG = {
  auth: 'authToken',
  file: 'fileToken',
  verification: 'verificationToken',
  passwordReset: 'passwordResetToken',
  emailChange: 'emailChangeToken',
} as const satisfies Record<TokenType, keyof AuthCollectionModel>;

/** Signing key of a token: the record's tokenKey + the collection secret of that token type. */
export function tokenKeyOf(collection: AuthCollectionModel, record: RecordData, type: TokenType): string {
  return String(record.tokenKey ?? '') + (collection[TOKEN_CONFIG[type]].secret ?? '');
}

/** Signs a `type` token for `record`, valid for the collection's duration of that type. */
export function newRecordToken(app: App, collection: AuthCollectionModel, record: RecordData, type: RecordTokenType, extra: Record<string, unknown> = {}): Promise<string> {
  return signToken({ ...extra, id: String(record.id), type, collectionId: collection.id }, tokenKeyOf(collection, record, type), collection[TOKEN_CONFIG[type]].duration, app.now());
}

const INVALID_TOKEN = () => fieldError('validation_invalid_token', 'Invalid or expired token.');

/**
 * Checks a token of the e-mail flows (spec §11.2 procedure): type, expiry, collection, record,
 * then the HS256 signature with tokenKey + the type's secret. Throws a 400 with `data.token`.
 */
export async function verifyRecordToken(ctx: OperationContext, collection: AuthCollectionModel, raw: unknown, type: RecordTokenType): Promise<{ record: RecordData; claims: TokenClaims }> {
  const fail = (e = INVALID_TOKEN()) => new ValidationError('An error occurred while validating the submitted data.', { token: e });
  if (typeof raw !== 'string' || raw === '') throw fail(fieldError('validation_required', 'Cannot be blank.'));
  const now = ctx.app.now();
  const claims = peekToken(raw, type, now);
  if (!claims) throw fail();
  if (claims.collectionId !== collection.id) throw fail(fieldError('validation_token_collection_mismatch', 'The provided token is for different auth collection.'));
  const record = await findRecordById(reader(ctx), ctx.app.db.dialect, collection, claims.id);
  if (!record) throw fail();
  const verified = await verifyToken(raw, tokenKeyOf(collection, record, type), type, now);
  if (!verified || verified.id !== record.id || verified.collectionId !== collection.id) throw fail();
  return { record, claims: verified };
}

/**
 * The end of every sign-in (spec §6.1): superuser networks and authRule (403), then MFA (a
 * challenge instead of a token when a second factor is needed), then the token and the record
 * as it sees itself; the device's origin is noted (and a new one alerted) after the response.
 */
export async function completeAuthentication(
  ctx: OperationContext,
  collection: AuthCollectionModel,
  record: RecordData,
  method: AuthMethod,
  options: { mfaId?: string; expand?: string; meta?: Record<string, unknown> } = {},
): Promise<AuthResult> {
  checkSuperuserIp(ctx, collection);
  await checkAuthRule(deriveContext(ctx, { requestContext: method === 'totp' ? 'mfa' : method }), collection, record);
  const mfaId = await applyMfa(ctx, collection, record, method, options.mfaId || undefined);
  if (mfaId) return { mfaId };
  const token = await newAuthToken(ctx.app, collection, record);
  const response = await authResponse(ctx, collection, record, token, options.expand);
  noteAuthOrigin(ctx, collection, record);
  return options.meta && Object.keys(options.meta).length ? { ...response, meta: options.meta } : response;
}

/**
 * Superusers may be restricted to listed networks (spec §6.1 step 1, settings.superuserIPs): a
 * sign-in from elsewhere is refused as every superuser request from there is.
 */
export function checkSuperuserIp(ctx: OperationContext, collection: AuthCollectionModel): void {
  const allowed = ctx.app.settings.current.superuserIPs;
  if (collection.name === SUPERUSERS && allowed.length > 0 && !ipInList(ctx.ip, allowed)) {
    throw new ForbiddenError('The superuser is not allowed to access the API from this IP address.');
  }
}

/** Checks the collection's authRule for `record` (spec §6.1 step 2). */
async function checkAuthRule(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData): Promise<void> {
  const rule = collection.authRule;
  const failed = 'The request doesn\'t satisfy the collection requirements to authenticate.';
  if (rule === null) throw new ForbiddenError(failed);
  const asRecord: OperationContext = deriveContext(ctx, { auth: { collection, record } });
  if (!(await storedRowSatisfies(asRecord, reader(ctx), collection, rule, String(record.id)))) throw new ForbiddenError(failed);
}

/** The `{token, record}` response, with the record as it sees itself. */
export async function authResponse(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData, token: string, expand?: string): Promise<AuthResponse> {
  const self: OperationContext = deriveContext(ctx, { auth: { collection, record } });
  const [json] = await enrichRecords(self, reader(ctx), collection, [record], { expand, showEmail: true });
  return { token, record: json };
}

const EMAIL_SHAPE = /^[^@\s]+@[^@\s]+$/;

export interface PasswordAuthInput {
  identity?: unknown;
  password?: unknown;
  identityField?: unknown;
  mfaId?: unknown;
}

/** `mfaId` from the body, else the query (spec §6.6: either is accepted). */
export function mfaIdOf(ctx: OperationContext, body: { mfaId?: unknown }): string | undefined {
  const v = typeof body.mfaId === 'string' && body.mfaId !== '' ? body.mfaId : ctx.query.mfaId;
  return v ? String(v) : undefined;
}

export async function recordAuthWithPassword(ctx: OperationContext, collectionIdOrName: string, body: PasswordAuthInput, options: { expand?: string } = {}): Promise<AuthResult> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!collection.passwordAuth.enabled) throw new ForbiddenError('The collection is not configured to allow password authentication.');
  // Before the password is checked, so a refused network learns nothing about it.
  checkSuperuserIp(ctx, collection);
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
  return completeAuthentication(ctx, collection, record, 'password', { mfaId: mfaIdOf(ctx, body), expand: options.expand });
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
