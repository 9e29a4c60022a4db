/**
 * Creates a superuser, or sets the password of an existing one (the `superuser upsert` command).
 * Runs with system rights: there is no requester.
 * @module
 */
import type { App } from '../app.ts';
import type { OperationContext } from './context.ts';
import { SUPERUSERS } from './context.ts';
import { recordCreate } from './record-create.ts';
import { recordUpdate } from './record-update.ts';

/** A context with superuser rights for the CLI and internal jobs. */
export function systemContext(app: App): OperationContext {
  const superusers = app.collections.find(SUPERUSERS);
  if (!superusers) throw new TypeError('The _superusers collection is missing.');
  return { app, auth: { collection: superusers, record: { id: '' } }, method: 'POST', requestContext: 'default', query: {}, headers: {}, ip: '127.0.0.1' };
}

export async function superuserUpsert(app: App, email: string, password: string): Promise<{ created: boolean; id: string }> {
  const ctx = systemContext(app);
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const existing = await app.db.get<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q(SUPERUSERS)} WHERE ${app.db.dialect.lower(q('email'))} = ${app.db.dialect.lower('?')}`, [email]);
  if (existing) {
    await recordUpdate(ctx, SUPERUSERS, existing.id, { password, passwordConfirm: password });
    return { created: false, id: existing.id };
  }
  const r = await recordCreate(ctx, SUPERUSERS, { email, password, passwordConfirm: password });
  return { created: true, id: String(r.id) };
}
