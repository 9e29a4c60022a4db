/**
 * The outbox API (Basalt's own, not PocketBase's): superusers read and clear the messages kept
 * while SMTP is disabled. `GET /api/outbox`, `DELETE /api/outbox`.
 * @module
 */
import type { OutboxEntry } from '../../mail/outbox/outbox-mailer.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

export function mailOutboxList(ctx: OperationContext): { smtpEnabled: boolean; items: OutboxEntry[] } {
  requireSuperuser(ctx);
  return { smtpEnabled: ctx.app.mailer.usesSmtp, items: ctx.app.mailer.outbox.list() };
}

export function mailOutboxClear(ctx: OperationContext): void {
  requireSuperuser(ctx);
  ctx.app.mailer.outbox.clear();
}
