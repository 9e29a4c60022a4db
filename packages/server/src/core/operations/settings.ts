/**
 * Settings and health operations (spec §10.1, §10.5).
 * @module
 */
import { publicSettings } from '../settings/settings.ts';
import { isSuperuser, requireSuperuser, type OperationContext } from './context.ts';

export function settingsView(ctx: OperationContext): Record<string, unknown> {
  requireSuperuser(ctx);
  return publicSettings(ctx.app.settings.current);
}

export async function settingsUpdate(ctx: OperationContext, body: unknown): Promise<Record<string, unknown>> {
  requireSuperuser(ctx);
  return publicSettings(await ctx.app.settings.update(body));
}

export function health(ctx: OperationContext): { message: string; code: number; data: Record<string, unknown> } {
  const data: Record<string, unknown> = isSuperuser(ctx) ? { canBackup: false, realIP: ctx.ip, possibleProxyHeader: '' } : {};
  return { message: 'API is healthy.', code: 200, data };
}
