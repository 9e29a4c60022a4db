/**
 * TOTP enrolments of auth records, in the internal `_authTotps` table.
 * @module
 */
import type { Executor, SqlDialect } from '../../storage/types.ts';
import { nowDateTime } from '../../tools/datetime.ts';
import { TOTP_TABLE } from './auth-tables.ts';

export interface TotpEnrolment {
  secret: string;
  confirmed: boolean;
  /** SHA-256 digests of the unused recovery codes. */
  recoveryCodes: string[];
  lastStep: number;
}

export async function findTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<TotpEnrolment | undefined> {
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
  return { secret: row.secret, confirmed: Number(row.confirmed) === 1 || row.confirmed === true, recoveryCodes: codes, lastStep: Number(row.lastStep) };
}

/** True when the record has a confirmed authenticator app. */
export async function hasConfirmedTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<boolean> {
  return (await findTotp(db, dialect, collectionId, recordId))?.confirmed === true;
}

/** Replaces the enrolment of a record. */
export async function saveTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string, e: TotpEnrolment): Promise<void> {
  const q = dialect.quote.bind(dialect);
  const now = nowDateTime();
  await db.run(`DELETE FROM ${q(TOTP_TABLE)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`, [collectionId, recordId]);
  await db.run(
    `INSERT INTO ${q(TOTP_TABLE)} (${['collectionRef', 'recordRef', 'secret', 'confirmed', 'recoveryCodes', 'lastStep', 'created', 'updated'].map(q).join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [collectionId, recordId, e.secret, e.confirmed ? 1 : 0, JSON.stringify(e.recoveryCodes), e.lastStep, now, now],
  );
}

/**
 * Records a use: the accepted step (codes at or before it are refused from now on) and the
 * remaining recovery codes. Conditional on the previous state, so two concurrent uses of the same
 * code cannot both succeed; returns false when another request got there first.
 */
export async function consumeTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string, before: TotpEnrolment, after: { lastStep: number; recoveryCodes: string[] }): Promise<boolean> {
  const q = dialect.quote.bind(dialect);
  const r = await db.run(
    `UPDATE ${q(TOTP_TABLE)} SET ${q('lastStep')} = ?, ${q('recoveryCodes')} = ?, ${q('updated')} = ? WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ? AND ${q('lastStep')} = ? AND ${q('recoveryCodes')} = ?`,
    [after.lastStep, JSON.stringify(after.recoveryCodes), nowDateTime(), collectionId, recordId, before.lastStep, JSON.stringify(before.recoveryCodes)],
  );
  return r.changes === 1;
}

export async function deleteTotp(db: Executor, dialect: SqlDialect, collectionId: string, recordId: string): Promise<void> {
  const q = dialect.quote.bind(dialect);
  await db.run(`DELETE FROM ${q(TOTP_TABLE)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`, [collectionId, recordId]);
}
