/**
 * First-run setup: while an instance has no superuser, `basalt serve` prints a link holding a
 * short-lived `setup` token; the dashboard sends it as the Authorization of
 * `POST /api/collections/_superusers/records` to create the first superuser. The token is good
 * for that one action only, and only while no superuser exists.
 *
 * The signing key is derived (HMAC) from the `_superusers` auth token secret, which only the
 * server knows and which every node of a PostgreSQL deployment shares; rotating that secret
 * invalidates outstanding setup links too.
 * @module
 */
import { createHmac } from 'node:crypto';
import { signToken, unverifiedTokenType, verifyToken } from '../../auth/tokens.ts';
import type { Executor } from '../../storage/types.ts';
import type { App } from '../app.ts';
import { isAuthCollection, type AuthCollectionModel } from '../collections/collection.ts';
import { UnauthorizedError } from '../errors.ts';
import { deriveContext, SUPERUSERS, type AuthState, type OperationContext, type TransactionContext } from './context.ts';

/** How long a setup link stays valid, in seconds. */
export const SETUP_TOKEN_DURATION = 60 * 60;

/** PocketBase's installer placeholder account, which never counts as a superuser (spec §6.12). */
export const INSTALLER_EMAIL = '__pbinstaller@example.com';

/** The named lock setup creations take, so that only one of them can see zero superusers. */
const SETUP_LOCK = 'basalt_superuser_setup';

const NO_LONGER_VALID = 'The setup link is no longer valid: a superuser already exists.';

/** The auth states withSetupToken grants; recheckSetupToken recognises them by identity. */
const setupGrants = new WeakSet<AuthState>();

function superusersOf(app: App): AuthCollectionModel {
  const c = app.collections.find(SUPERUSERS);
  if (!c || !isAuthCollection(c)) throw new TypeError('The _superusers collection is missing.');
  return c;
}

function setupKey(collection: AuthCollectionModel): string {
  return createHmac('sha256', collection.authToken.secret ?? '').update('basalt setup token v1').digest('hex');
}

/** True when a superuser other than the installer placeholder exists (read with `db`, default the App's). */
export async function hasSuperuser(app: App, db: Executor = app.db): Promise<boolean> {
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const row = await db.get(`SELECT 1 AS one FROM ${q(SUPERUSERS)} WHERE ${app.db.dialect.lower(q('email'))} != ? LIMIT 1`, [INSTALLER_EMAIL]);
  return row !== undefined;
}

/** Signs a new setup token, valid for {@link SETUP_TOKEN_DURATION} seconds. */
export function newSetupToken(app: App): Promise<string> {
  const c = superusersOf(app);
  return signToken({ id: 'setup', type: 'setup', collectionId: c.id }, setupKey(c), SETUP_TOKEN_DURATION, app.now());
}

/**
 * The context a superuser create runs with: `ctx` itself unless it is a guest's plain
 * `POST /api/collections/_superusers/records` presenting a setup token, which then runs with
 * superuser rights. A setup token that is altered or expired, or arrives once a superuser
 * exists, is refused with 401. Warning: this early check is not enough on its own, concurrent
 * requests all pass it; the create must call {@link recheckSetupToken} in its transaction.
 */
export async function withSetupToken(ctx: OperationContext, collectionIdOrName: string): Promise<OperationContext> {
  if (ctx.auth || ctx.method !== 'POST' || ctx.requestContext !== 'default') return ctx;
  // The collection first: reading ctx.headers builds them, which every other create can skip.
  const collection = ctx.app.collections.find(collectionIdOrName);
  if (collection?.name !== SUPERUSERS || !isAuthCollection(collection)) return ctx;
  const raw = (ctx.headers.authorization ?? '').replace(/^bearer\s+/i, '').trim();
  if (raw === '' || unverifiedTokenType(raw) !== 'setup') return ctx;
  const claims = await verifyToken(raw, setupKey(collection), 'setup', ctx.app.now());
  if (!claims || claims.collectionId !== collection.id) throw new UnauthorizedError('The setup token is invalid or has expired.');
  if (await hasSuperuser(ctx.app)) throw new UnauthorizedError(NO_LONGER_VALID);
  const auth: AuthState = { collection, record: { id: '' } };
  setupGrants.add(auth);
  return deriveContext(ctx, { auth });
}

/**
 * For a create that a setup token authorised: checks again, in the create's own transaction and
 * before its insert, that no superuser exists, and throws the same 401 as withSetupToken if one
 * does. A no-op for any other context.
 *
 * Note: on PostgreSQL (READ COMMITTED) two transactions would each count zero superusers and
 * both insert; the exclusive name lock, held until commit, makes them count one after the
 * other, and the count that follows the wait sees what the winner committed. SQLite's writers
 * are serialised by BEGIN IMMEDIATE already (nameLock is undefined there).
 */
export async function recheckSetupToken(ctx: TransactionContext): Promise<void> {
  if (!ctx.auth || !setupGrants.has(ctx.auth)) return;
  const lock = ctx.app.db.dialect.nameLock('exclusive');
  if (lock) await ctx.tx.get(lock, [SETUP_LOCK]);
  if (await hasSuperuser(ctx.app, ctx.tx)) throw new UnauthorizedError(NO_LONGER_VALID);
}
