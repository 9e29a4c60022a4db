/**
 * Helpers the e-mail flows share: reading an e-mail from a body, finding an auth record by
 * e-mail, the 2-minute resend window, and sending a collection template to a record.
 * @module
 */
import type { TemplateValues } from '../../mail/mail-template.ts';
import type { App } from '../app.ts';
import type { AuthCollectionModel, EmailTemplate } from '../collections/collection.ts';
import { ValidationError, fieldError } from '../errors.ts';
import type { Executor } from '../../storage/types.ts';
import type { RecordData } from '../records/record.ts';
import { rowToRecord } from '../records/record.ts';

/** How long after one mail of a kind the same record gets no other, in seconds (PocketBase: 2 min). */
export const RESEND_WINDOW = 120;

const EMAIL_FORMAT = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The `key` e-mail of `body` (required, e-mail format, ≤ 255), or 400 with `data[key]`. */
export function emailFromBody(body: Record<string, unknown>, key = 'email'): string {
  const v = body[key];
  const email = typeof v === 'string' ? v.trim() : '';
  let error;
  if (email === '') error = fieldError('validation_required', 'Cannot be blank.');
  else if (email.length > 255) error = fieldError('validation_length_out_of_range', 'The length must be between 1 and 255.', { min: 1, max: 255 });
  else if (!EMAIL_FORMAT.test(email)) error = fieldError('validation_is_email', 'Must be a valid email address.');
  if (error) throw new ValidationError('An error occurred while validating the submitted data.', { [key]: error });
  return email;
}

/** The record of `collection` with this e-mail (case-insensitive), or undefined. */
export async function findAuthRecordByEmail(app: App, db: Executor, collection: AuthCollectionModel, email: string): Promise<RecordData | undefined> {
  const d = app.db.dialect;
  const q = d.quote.bind(d);
  const row = await db.get<Record<string, never>>(`SELECT * FROM ${q(collection.name)} WHERE ${d.lower(q('email'))} = ${d.lower('?')} LIMIT 1`, [email]);
  return row ? rowToRecord(collection, row) : undefined;
}

const lastSent = new WeakMap<App, Map<string, number>>();

/**
 * True (and the time noted) when no mail of `kind` went to the record in the last
 * {@link RESEND_WINDOW} seconds; false inside the window.
 */
export function claimResendSlot(app: App, kind: string, collection: AuthCollectionModel, recordId: string): boolean {
  let sent = lastSent.get(app);
  if (!sent) lastSent.set(app, (sent = new Map()));
  const now = app.now().getTime();
  const key = `${kind}\u0000${collection.id}\u0000${recordId}`;
  const last = sent.get(key);
  if (last !== undefined && now - last < RESEND_WINDOW * 1000) return false;
  if (sent.size > 10_000) for (const [k, t] of sent) if (now - t >= RESEND_WINDOW * 1000) sent.delete(k);
  sent.set(key, now);
  return true;
}

/** Renders `template` for `record` and sends it to `to` (default: the record's e-mail). */
export async function sendRecordMail(app: App, collection: AuthCollectionModel, record: RecordData, template: EmailTemplate, extra: TemplateValues, to?: string): Promise<void> {
  const { subject, html } = app.mailer.render(collection, record, template, extra);
  await app.mailer.send({ to: [{ address: to ?? String(record.email) }], subject, html });
}
