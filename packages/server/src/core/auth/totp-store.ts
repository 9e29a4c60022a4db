/**
 * TOTP enrolments of auth records, in the internal `_authTotps` table. The secret is sealed with
 * the instance's encryption key when one is set (see stored-secrets.ts): callers see it plain.
 * @module
 */
import { isSealed } from '../../auth/encryption.ts';
import type { Executor, SqlDialect } from '../../storage/types.ts';
import { nowDateTime } from '../../tools/datetime.ts';
import { TOTP_TABLE } from './auth-tables.ts';
import type { StoredSecrets } from './stored-secrets.ts';

export interface TotpEnrolment {
  secret: string;
  confirmed: boolean;
  /** SHA-256 digests of the unused recovery codes. */
  recoveryCodes: string[];
  lastStep: number;
}

/** An enrolment as read, with its secret also as stored (sealed, or plain when written without a key). */
export interface StoredTotpEnrolment extends TotpEnrolment {
  storedSecret: string;
}

type TotpRow = Omit<StoredTotpEnrolment, 'secret'>;

async function findRow(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<TotpRow | undefined> {
  const q = dialect.quote.bind(dialect);
  const row = await db.get<{ secret: string; confirmed: number | boolean; recoveryCodes: string; lastStep: number | string }>(
    `SELECT ${q('secret')} AS ${q('secret')}, ${q('confirmed')} AS ${q('confirmed')}, ${q('recoveryCodes')} AS ${q('recoveryCodes')}, ${q('lastStep')} AS ${q('lastStep')} FROM ${q(TOTP_TABLE)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`,
    [collectionId, recordId],
  );
  if (!row) return undefined;
  let codes: string[] = [];
  try {
    const parsed = JSON.parse(row.recoveryCodes);
    if (Array.isArray(parsed)) codes = parsed.map(String);
  } catch {
    codes = [];
  }
  return { storedSecret: row.secret, confirmed: Number(row.confirmed) === 1 || row.confirmed === true, recoveryCodes: codes, lastStep: Number(row.lastStep) };
}

/** The record's enrolment with its secret opened; throws InternalError when no key or the wrong key is set for a sealed one. */
export async function findTotp(db: Executor, dialect: SqlDialect, secrets: StoredSecrets, collectionId: string, recordId: string): Promise<StoredTotpEnrolment | undefined> {
  const row = await findRow(db, dialect, collectionId, recordId);
  return row && { ...row, secret: secrets.open(row.storedSecret, `TOTP secret of record ${recordId}`) };
}

/** The record's enrolment without its secret, which is not opened: reading it needs no key. */
export async function findTotpState(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<Omit<TotpEnrolment, 'secret'> | undefined> {
  const row = await findRow(db, dialect, collectionId, recordId);
  return row && { confirmed: row.confirmed, recoveryCodes: row.recoveryCodes, lastStep: row.lastStep };
}

/** True when the record has a confirmed authenticator app (the secret is not opened). */
export async function hasConfirmedTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<boolean> {
  return (await findRow(db, dialect, collectionId, recordId))?.confirmed === true;
}

/** Replaces the enrolment of a record. */
export async function saveTotp(db: Executor, dialect: SqlDialect, secrets: StoredSecrets, collectionId: string, recordId: string, e: TotpEnrolment): Promise<void> {
  const q = dialect.quote.bind(dialect);
  const now = nowDateTime();
  await db.run(`DELETE FROM ${q(TOTP_TABLE)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`, [collectionId, recordId]);
  await db.run(
    `INSERT INTO ${q(TOTP_TABLE)} (${['collectionRef', 'recordRef', 'secret', 'confirmed', 'recoveryCodes', 'lastStep', 'created', 'updated'].map(q).join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [collectionId, recordId, secrets.seal(e.secret), e.confirmed ? 1 : 0, JSON.stringify(e.recoveryCodes), e.lastStep, now, now],
  );
}

/**
 * Records a use: the accepted step (codes at or before it are refused from now on) and the
 * remaining recovery codes. Conditional on the previous state (secret included: an enrolment
 * replaced meanwhile is not the one the code was checked against), so two concurrent uses of the
 * same code cannot both succeed; returns false when another request got there first.
 * A secret stored plain before a key was set is sealed here: a successful use is the first write
 * such an enrolment gets, as a confirmed one is never saved again.
 */
export async function consumeTotp(db: Executor, dialect: SqlDialect, secrets: StoredSecrets, collectionId: string, recordId: string, before: StoredTotpEnrolment, after: { lastStep: number; recoveryCodes: string[] }): Promise<boolean> {
  const q = dialect.quote.bind(dialect);
  const secret = secrets.encrypting && !isSealed(before.storedSecret) ? secrets.seal(before.secret) : before.storedSecret;
  const r = await db.run(
    `UPDATE ${q(TOTP_TABLE)} SET ${q('lastStep')} = ?, ${q('recoveryCodes')} = ?, ${q('secret')} = ?, ${q('updated')} = ? WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ? AND ${q('secret')} = ? AND ${q('lastStep')} = ? AND ${q('recoveryCodes')} = ?`,
    [after.lastStep, JSON.stringify(after.recoveryCodes), secret, nowDateTime(), collectionId, recordId, before.storedSecret, before.lastStep, JSON.stringify(before.recoveryCodes)],
  );
  return r.changes === 1;
}

export async function deleteTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<void> {
  const q = dialect.quote.bind(dialect);
  await db.run(`DELETE FROM ${q(TOTP_TABLE)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`, [collectionId, recordId]);
}
