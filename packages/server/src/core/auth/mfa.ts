/**
 * Multi-factor sessions (spec §6.6) in the `_mfas` system collection: the first factor creates a
 * row and the client gets its id; a second, different factor presenting that id consumes it.
 * Beyond PocketBase: a record with a confirmed authenticator app (TOTP) always needs two factors,
 * one of them `totp`, even when the collection's MFA is off.
 * @module
 */
import { newRecordId } from '../../tools/ids.ts';
import { formatDateTime } from '../../tools/datetime.ts';
import type { AuthCollectionModel } from '../collections/collection.ts';
import { BadRequestError } from '../errors.ts';
import { deriveContext, reader, type OperationContext } from '../operations/context.ts';
import type { RecordData } from '../records/record.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { hasConfirmedTotp } from './totp-store.ts';

/** Authentication methods, as stored in `_mfas.method`. */
export type AuthMethod = 'password' | 'otp' | 'oauth2' | 'totp';

/** Lifetime of an MFA session when only a TOTP enrolment asks for one, in seconds. */
export const TOTP_MFA_DURATION = 600;

const MFAS = '_mfas';

export interface MfaSession {
  id: string;
  collectionRef: string;
  recordRef: string;
  method: string;
  created: string;
}

/** The MFA session `mfaId`, or 400 when unknown or expired (expired rows are deleted). */
export async function findMfaSessionOrThrow(ctx: OperationContext, collection: AuthCollectionModel, mfaId: string): Promise<MfaSession> {
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  const row = mfaId.length <= 255 ? await reader(ctx).get<MfaSession>(`SELECT ${['id', 'collectionRef', 'recordRef', 'method', 'created'].map((c) => `${q(c)} AS ${q(c)}`).join(', ')} FROM ${q(MFAS)} WHERE ${q('id')} = ?`, [mfaId]) : undefined;
  if (!row) throw new BadRequestError('Invalid or expired MFA session.');
  const duration = collection.mfa.enabled ? collection.mfa.duration : TOTP_MFA_DURATION;
  const created = Date.parse(String(row.created).replace(' ', 'T'));
  if (!Number.isFinite(created) || created + duration * 1000 <= ctx.app.now().getTime()) {
    await ctx.app.db.run(`DELETE FROM ${q(MFAS)} WHERE ${q('id')} = ?`, [row.id]);
    throw new BadRequestError('Invalid or expired MFA session.');
  }
  return row;
}

async function mfaRuleMatches(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData): Promise<boolean> {
  const rule = collection.mfa.rule ?? '';
  if (rule.trim() === '') return true;
  const asRecord: OperationContext = deriveContext(ctx, { auth: { collection, record } });
  return storedRowSatisfies(asRecord, reader(ctx), collection, rule, String(record.id));
}

/**
 * Applies MFA to a successful factor `method` of `record`. Returns a new `mfaId` when a second
 * factor is needed, or undefined when the sign-in may complete (no MFA, or `mfaId` named a
 * valid session of a different method, which is consumed).
 */
export async function applyMfa(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData, method: AuthMethod, mfaId: string | undefined): Promise<string | undefined> {
  const dialect = ctx.app.db.dialect;
  const q = dialect.quote.bind(dialect);
  const totp = await hasConfirmedTotp(reader(ctx), dialect, collection.id, String(record.id));
  const byCollection = collection.mfa.enabled && (await mfaRuleMatches(ctx, collection, record));
  if (!byCollection && !totp) return undefined;
  if (!mfaId) {
    const id = newRecordId();
    const now = formatDateTime(ctx.app.now());
    await ctx.app.db.run(`INSERT INTO ${q(MFAS)} (${['id', 'collectionRef', 'recordRef', 'method', 'created', 'updated'].map(q).join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`, [
      id,
      collection.id,
      String(record.id),
      method,
      now,
      now,
    ]);
    return id;
  }
  const session = await findMfaSessionOrThrow(ctx, collection, mfaId);
  if (session.collectionRef !== collection.id || session.recordRef !== String(record.id)) throw new BadRequestError('Invalid MFA session.');
  if (session.method === method) throw new BadRequestError('A different authentication method is required.');
  if (totp && session.method !== 'totp' && method !== 'totp') throw new BadRequestError('An authenticator app code is required as the second factor.');
  // Consumed once: of two concurrent second factors only one deletes the row.
  const deleted = await ctx.app.db.run(`DELETE FROM ${q(MFAS)} WHERE ${q('id')} = ?`, [session.id]);
  if (deleted.changes !== 1) throw new BadRequestError('Invalid or expired MFA session.');
  return undefined;
}
