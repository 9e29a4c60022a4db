/**
 * OAuth2 / OpenID Connect sign-in (spec §6.7): the provider entries of auth-methods (§6.2), the
 * code exchange of `POST /api/collections/{c}/auth-with-oauth2`, and the list of providers
 * Basalt supports (`GET /api/collections/meta/oauth2-providers`). Nothing about a sign-in in
 * progress is stored server-side: the client keeps state and code verifier (PKCE).
 * @module
 */
import { Readable } from 'node:stream';
import { MAX_AVATAR_BYTES, downloadAvatar } from '../../auth/oauth2/oauth2-avatar.ts';
import { codeChallengeOf, newCodeVerifier, type OAuth2Token, type OAuth2User } from '../../auth/oauth2/oauth2-client.ts';
import { SUPPORTED_OAUTH2_PROVIDERS, createOAuth2Provider, providerDisplayName, type OAuth2Provider, type OAuth2ProviderSettings } from '../../auth/oauth2/providers.ts';
import { isAllowedContentType } from '../../files/content-type.ts';
import { formatDateTime } from '../../tools/datetime.ts';
import { randomString } from '../../tools/ids.ts';
import { takeAppleName } from '../auth/oauth2-redirect.ts';
import type { AuthCollectionModel, FieldModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import { isHttpURL } from '../collections/collection-validator.ts';
import { BadRequestError, BasaltError, ForbiddenError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { fileMaxSize } from '../fields/file-field.ts';
import { LOG_LEVEL } from '../logs/log-store.ts';
import { findAuthRecordByEmail } from '../mail/record-mail.ts';
import { prepareUploads, type FileUpload } from '../records/record-files.ts';
import { findRecordById } from '../records/record-finder.ts';
import type { RecordData } from '../records/record.ts';
import { deriveContext, inTransaction, requireSuperuser, type OperationContext, type TransactionContext } from './context.ts';
import { authCollectionOrThrow, completeAuthentication, mfaIdOf, type AuthResult } from './record-auth.ts';
import { recordCreate } from './record-create.ts';
import { recordDelete } from './record-delete.ts';
import { recordUpdate } from './record-update.ts';
import { systemContext } from './superuser-upsert.ts';

const EXTERNAL_AUTHS = '_externalAuths';

/** The provider settings of a collection, as stored (secrets already opened). */
function configuredProviders(collection: AuthCollectionModel): OAuth2ProviderSettings[] {
  return (collection.oauth2?.providers ?? []).map((p) => ({
    name: String(p.name ?? ''),
    clientId: String(p.clientId ?? ''),
    clientSecret: String(p.clientSecret ?? ''),
    authURL: typeof p.authURL === 'string' ? p.authURL : '',
    tokenURL: typeof p.tokenURL === 'string' ? p.tokenURL : '',
    userInfoURL: typeof p.userInfoURL === 'string' ? p.userInfoURL : '',
    displayName: typeof p.displayName === 'string' ? p.displayName : '',
    pkce: typeof p.pkce === 'boolean' ? p.pkce : null,
    extra: typeof p.extra === 'object' && p.extra !== null && !Array.isArray(p.extra) ? (p.extra as Record<string, unknown>) : null,
  }));
}

/** One provider entry of auth-methods (spec §6.2). */
export interface OAuth2MethodEntry {
  name: string;
  displayName: string;
  state: string;
  authURL: string;
  authUrl: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

/**
 * The `oauth2` part of auth-methods: a fresh state and PKCE pair per provider and call. Providers
 * that cannot be set up (an unreachable OIDC issuer) are left out and the cause logged.
 */
export async function oauth2AuthMethods(ctx: OperationContext, collection: AuthCollectionModel): Promise<{ enabled: boolean; providers: OAuth2MethodEntry[] }> {
  if (!collection.oauth2?.enabled) return { enabled: false, providers: [] };
  const entries = await Promise.all(
    configuredProviders(collection).map(async (settings) => {
      let provider: OAuth2Provider;
      try {
        provider = await createOAuth2Provider(settings);
      } catch (err) {
        ctx.app.logger.error({ err, provider: settings.name, collection: collection.name }, 'an OAuth2 provider could not be set up');
        return undefined;
      }
      const state = randomString(30);
      const codeVerifier = provider.pkce ? newCodeVerifier() : '';
      const codeChallenge = provider.pkce ? codeChallengeOf(codeVerifier) : '';
      const authURL = provider.authorizationURL(state, codeChallenge || undefined);
      return { name: provider.name, displayName: provider.displayName, state, authURL, authUrl: authURL, codeVerifier, codeChallenge, codeChallengeMethod: provider.pkce ? 'S256' : '' };
    }),
  );
  return { enabled: true, providers: entries.filter((e): e is OAuth2MethodEntry => e !== undefined) };
}

/** `GET /api/collections/meta/oauth2-providers`: the providers this server can sign in with. */
export function oauth2ProviderList(ctx: OperationContext): Array<{ name: string; displayName: string; logo: string }> {
  requireSuperuser(ctx);
  return SUPPORTED_OAUTH2_PROVIDERS.map((name) => ({ name, displayName: providerDisplayName(name), logo: '' }));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface OAuth2AuthInput {
  provider?: unknown;
  code?: unknown;
  codeVerifier?: unknown;
  redirectURL?: unknown;
  redirectUrl?: unknown;
  createData?: unknown;
  mfaId?: unknown;
}

/** Checks the body; returns the parts, or throws 400 with field errors. */
function readInput(collection: AuthCollectionModel, body: OAuth2AuthInput) {
  const errors: FieldErrors = {};
  const name = typeof body.provider === 'string' ? body.provider : '';
  const code = typeof body.code === 'string' ? body.code : '';
  const codeVerifier = typeof body.codeVerifier === 'string' ? body.codeVerifier : '';
  const rawRedirect = body.redirectURL ?? body.redirectUrl;
  const redirectURL = typeof rawRedirect === 'string' ? rawRedirect : '';
  const settings = configuredProviders(collection).find((p) => p.name === name);
  if (name === '') errors.provider = fieldError('validation_required', 'Cannot be blank.');
  else if (name.length > 100 || !settings) errors.provider = fieldError('validation_invalid_provider', `Provider with name ${name.slice(0, 100)} is missing or is not enabled.`);
  if (code === '') errors.code = fieldError('validation_required', 'Cannot be blank.');
  else if (code.length > 2048) errors.code = fieldError('validation_length_out_of_range', 'The length must be between 1 and 2048.', { min: 1, max: 2048 });
  if (codeVerifier.length > 255) errors.codeVerifier = fieldError('validation_length_out_of_range', 'The length must be between 0 and 255.', { min: 0, max: 255 });
  if (redirectURL === '') errors.redirectURL = fieldError('validation_required', 'Cannot be blank.');
  else if (redirectURL.length > 2048 || !isHttpURL(redirectURL)) errors.redirectURL = fieldError('validation_is_url', 'Must be a valid http or https URL.');
  if (body.createData !== undefined && body.createData !== null && !isObject(body.createData)) errors.createData = fieldError('validation_invalid_value', 'Must be an object.');
  if (Object.keys(errors).length) throw new ValidationError('An error occurred while validating the submitted data.', errors);
  return { settings: settings!, code, codeVerifier, redirectURL, createData: isObject(body.createData) ? body.createData : {} };
}

export async function recordAuthWithOAuth2(ctx: OperationContext, collectionIdOrName: string, body: OAuth2AuthInput, options: { expand?: string } = {}): Promise<AuthResult> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!collection.oauth2?.enabled) throw new ForbiddenError('The collection is not configured to allow OAuth2 authentication.');
  const input = readInput(collection, body);

  let provider: OAuth2Provider;
  let token: OAuth2Token;
  try {
    provider = await createOAuth2Provider(input.settings);
    token = await provider.exchangeCode(input.code, input.codeVerifier, input.redirectURL);
  } catch (err) {
    noteProviderFailure(ctx, collection, input.settings.name, err);
    throw new BadRequestError('Failed to fetch OAuth2 token.', { cause: err });
  }
  let user: OAuth2User;
  try {
    user = await provider.fetchUser(token);
  } catch (err) {
    noteProviderFailure(ctx, collection, input.settings.name, err);
    throw new BadRequestError('Failed to fetch OAuth2 user.', { cause: err });
  }
  if (provider.name === 'apple' && !user.name) user = { ...user, name: takeAppleName(ctx.app, input.code) };

  const avatar = await avatarForSignUp(ctx, collection, provider, user, input.createData);
  const { record, isNew } = await resolveRecord(deriveContext(ctx, { requestContext: 'oauth2' }), collection, provider.name, user, input.createData, avatar);
  const meta = {
    id: user.id,
    name: user.name,
    username: user.username,
    email: user.email,
    avatarURL: user.avatarURL,
    avatarUrl: user.avatarURL,
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    expiry: token.expiry ? formatDateTime(token.expiry) : '',
    rawUser: user.rawUser,
    isNew,
  };
  return completeAuthentication(ctx, collection, record, 'oauth2', { mfaId: mfaIdOf(ctx, body), expand: options.expand, meta });
}

/**
 * Keeps the provider's side of a failed sign-in in the log (warn level) for whoever configures
 * the provider; the client only gets PocketBase's fixed message. The messages of auth/oauth2
 * carry no secrets or tokens.
 */
function noteProviderFailure(ctx: OperationContext, collection: AuthCollectionModel, provider: string, err: unknown): void {
  ctx.app.logs.add(LOG_LEVEL.warn, 'OAuth2 provider request failed', { collection: collection.name, provider, reason: err instanceof Error ? err.message : String(err) });
}

/**
 * Finds, links or creates the record of a provider user (spec §6.7.1), in one transaction:
 * the existing link, else the signed-in record of this collection, else the record with the
 * provider's verified e-mail, else a sign-up through the normal create (createRule applies).
 */
async function resolveRecord(ctx: OperationContext, collection: AuthCollectionModel, provider: string, user: OAuth2User, createData: Record<string, unknown>, avatar: AvatarUpload | undefined): Promise<{ record: RecordData; isNew: boolean }> {
  try {
    return await inTransaction(ctx, async (txCtx) => {
      const system: TransactionContext = { ...systemContext(ctx.app), tx: txCtx.tx, afterCommit: txCtx.afterCommit, ip: ctx.ip };
      const dialect = ctx.app.db.dialect;
      const q = dialect.quote.bind(dialect);
      let link = await txCtx.tx.get<{ id: string; recordRef: string }>(
        `SELECT ${q('id')} AS id, ${q('recordRef')} AS ${q('recordRef')} FROM ${q(EXTERNAL_AUTHS)} WHERE ${q('collectionRef')} = ? AND ${q('provider')} = ? AND ${q('providerId')} = ? LIMIT 1`,
        [collection.id, provider, user.id],
      );
      let record = link ? await findRecordById(txCtx.tx, dialect, collection, link.recordRef) : undefined;
      if (link && !record) {
        // A link whose record is gone links nothing: drop it and resolve as if it never existed.
        await recordDelete(system, EXTERNAL_AUTHS, link.id);
        link = undefined;
      }
      if (!record && ctx.auth && ctx.auth.collection.id === collection.id) record = await findRecordById(txCtx.tx, dialect, collection, ctx.auth.record.id);
      if (!record && user.email) record = await findAuthRecordByEmail(ctx.app, txCtx.tx, collection, user.email);

      let isNew = false;
      if (!record) {
        if (collection.name === '_superusers') throw new BadRequestError('Superusers cannot sign up with OAuth2.');
        record = await signUp(txCtx, system, collection, user, createData, avatar);
        isNew = true;
      } else {
        // secureExisting removes every link of an unverified record, this one included.
        if (record.verified !== true) link = undefined;
        record = await secureExisting(txCtx, system, collection, record, user);
      }
      if (!link) {
        await recordCreate(system, EXTERNAL_AUTHS, { collectionRef: collection.id, recordRef: String(record.id), provider, providerId: user.id });
      }
      return { record, isNew };
    });
  } catch (err) {
    if (err instanceof BasaltError) throw err;
    // PocketBase answers any failure here with this 400; the cause is kept for whoever debugs it.
    ctx.app.logger.error({ err, provider, collection: collection.name }, 'OAuth2 sign-in could not link or create the record');
    throw new BadRequestError('Failed to authenticate.', { cause: err });
  }
}

const sameEmail = (a: unknown, b: string) => typeof a === 'string' && a !== '' && a.toLowerCase() === b.toLowerCase();

async function signUp(txCtx: TransactionContext, system: TransactionContext, collection: AuthCollectionModel, user: OAuth2User, createData: Record<string, unknown>, avatar: AvatarUpload | undefined): Promise<RecordData> {
  const payload: Record<string, unknown> = { ...createData };
  if (payload.email === undefined && user.email) payload.email = user.email;
  const mapped = collection.oauth2.mappedFields ?? { id: '', name: '', username: '', avatarURL: '' };
  // A mapped field is filled when it exists, is not a system field, was not given in createData,
  // and `fits` the value.
  const fill = async (target: string, value: string, fits: (f: FieldModel) => boolean | Promise<boolean>) => {
    const field = target ? findField(collection, target) : undefined;
    if (field && value && payload[field.name] === undefined && !field.system && (await fits(field))) payload[field.name] = value;
  };
  const textLike = (f: FieldModel) => f.type === 'text' || f.type === 'url' || f.type === 'editor';
  await fill(mapped.id, user.id, textLike);
  await fill(mapped.name, user.name, textLike);
  // A file field gets the downloaded avatar instead (avatarForSignUp), as an upload.
  await fill(mapped.avatarURL, user.avatarURL, (f) => f.type === 'url' || f.type === 'text');
  await fill(mapped.username, user.username, async (f) => {
    if (f.type !== 'text') return false;
    const max = Number(f.max) || 0;
    if (Number(f.min) > user.username.length || (max > 0 && user.username.length > max)) return false;
    if (typeof f.pattern === 'string' && f.pattern !== '' && !safeTest(f.pattern, user.username)) return false;
    const d = txCtx.app.db.dialect;
    const taken = await txCtx.tx.get(`SELECT 1 AS x FROM ${d.quote(collection.name)} WHERE ${d.lower(d.quote(f.name))} = ${d.lower('?')} LIMIT 1`, [user.username]);
    return !taken;
  });
  if (payload.password === undefined) {
    // Nobody knows this password: the account signs in through the provider (or resets it).
    const random = randomString(30);
    payload.password = random;
    payload.passwordConfirm = random;
  }
  const created = await recordCreate(txCtx, collection.id, payload, { files: avatar ? { [avatar.field]: [avatar.upload] } : undefined });
  const id = String(created.id);
  if (user.email && sameEmail(payload.email, user.email)) await recordUpdate(system, collection.id, id, { verified: true });
  const record = await findRecordById(txCtx.tx, txCtx.app.db.dialect, collection, id);
  if (!record) throw new BadRequestError('Failed to authenticate.');
  return record;
}

/** A downloaded avatar for the file field it is mapped to. */
interface AvatarUpload {
  field: string;
  upload: FileUpload;
}

/**
 * The provider's avatar for a sign-up whose mapped `avatarURL` is a file field (spec §6.7.1),
 * downloaded under oauth2-avatar.ts's rules and checked against the field's maxSize and
 * mimeTypes with the sniffing uploads get. Never fails the sign-in: a refused or failed download
 * is logged (warn) and the field stays empty.
 *
 * Note: it runs before resolveRecord's transaction (a download must not hold SQLite's writer),
 * so whether this is a sign-up is read ahead, outside it. Should a concurrent request change
 * the answer meanwhile, the cost is a download thrown away, or a sign-up without its avatar.
 */
async function avatarForSignUp(ctx: OperationContext, collection: AuthCollectionModel, provider: OAuth2Provider, user: OAuth2User, createData: Record<string, unknown>): Promise<AvatarUpload | undefined> {
  const target = collection.oauth2.mappedFields?.avatarURL ?? '';
  const field = target ? findField(collection, target) : undefined;
  if (!field || field.type !== 'file' || field.system || !user.avatarURL || createData[field.name] !== undefined) return undefined;
  if (!(await looksLikeSignUp(ctx, collection, provider.name, user))) return undefined;
  try {
    const avatar = await downloadAvatar(user.avatarURL, { maxBytes: Math.min(fileMaxSize(field), MAX_AVATAR_BYTES), providerEndpoints: provider.endpoints });
    const upload: FileUpload = { name: avatar.name, size: avatar.bytes.length, open: () => Readable.from([avatar.bytes]) };
    const [prepared] = (await prepareUploads(collection, { [field.name]: [upload] })).get(field.name) ?? [];
    const mimeTypes = Array.isArray(field.mimeTypes) ? field.mimeTypes.map(String).filter(Boolean) : [];
    if (prepared && mimeTypes.length && !isAllowedContentType(prepared.contentType, mimeTypes)) {
      throw new Error(`its type ${prepared.contentType} is not one of the field's mimeTypes`);
    }
    return { field: field.name, upload };
  } catch (err) {
    ctx.app.logs.add(LOG_LEVEL.warn, 'OAuth2 avatar not stored', { collection: collection.name, provider: provider.name, field: field.name, reason: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

/** Whether resolveRecord would sign this user up, read outside its transaction (see avatarForSignUp). */
async function looksLikeSignUp(ctx: OperationContext, collection: AuthCollectionModel, provider: string, user: OAuth2User): Promise<boolean> {
  // Closed sign-ups (createRule null) would be refused: fetching for them is wasted work a guest could trigger.
  if (collection.createRule === null || collection.name === '_superusers' || (ctx.auth && ctx.auth.collection.id === collection.id)) return false;
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  const linked = await ctx.app.db.get(`SELECT 1 AS x FROM ${q(EXTERNAL_AUTHS)} WHERE ${q('collectionRef')} = ? AND ${q('provider')} = ? AND ${q('providerId')} = ? LIMIT 1`, [collection.id, provider, user.id]);
  if (linked) return false;
  return !(user.email && (await findAuthRecordByEmail(ctx.app, ctx.app.db, collection, user.email)));
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

/**
 * An existing record signing in through a provider. An unverified one may have been registered
 * by someone else with this address: its other provider links go and, unless its owner is the
 * one signed in, its password is replaced (account-takeover protection, as PocketBase).
 */
async function secureExisting(txCtx: TransactionContext, system: TransactionContext, collection: AuthCollectionModel, record: RecordData, user: OAuth2User): Promise<RecordData> {
  const patch: Record<string, unknown> = {};
  if (record.verified !== true) {
    const dialect = txCtx.app.db.dialect;
    const q = dialect.quote.bind(dialect);
    const links = await txCtx.tx.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q(EXTERNAL_AUTHS)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`, [collection.id, String(record.id)]);
    for (const l of links) await recordDelete(system, EXTERNAL_AUTHS, l.id);
    const signedIn = txCtx.auth?.collection.id === collection.id && String(txCtx.auth.record.id) === String(record.id);
    if (!signedIn) {
      const random = randomString(30);
      Object.assign(patch, { password: random, passwordConfirm: random });
    }
  }
  const email = typeof record.email === 'string' ? record.email : '';
  if (email === '' && user.email) patch.email = user.email;
  if (record.verified !== true && user.email && (email === '' || sameEmail(email, user.email))) patch.verified = true;
  if (!Object.keys(patch).length) return record;
  await recordUpdate(system, collection.id, String(record.id), patch);
  return (await findRecordById(txCtx.tx, txCtx.app.db.dialect, collection, record.id)) ?? record;
}
