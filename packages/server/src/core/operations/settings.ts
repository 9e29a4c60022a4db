/**
 * Settings and health operations (spec §10.1, §10.5).
 * @module
 */
import { publicSettings } from '../settings/settings.ts';
import { isSuperuser, normalizeHeaderName, requireSuperuser, type OperationContext } from './context.ts';

export function settingsView(ctx: OperationContext): Record<string, unknown> {
  requireSuperuser(ctx);
  return publicSettings(ctx.app.settings.current);
}

export async function settingsUpdate(ctx: OperationContext, body: unknown): Promise<Record<string, unknown>> {
  requireSuperuser(ctx);
  return publicSettings(await ctx.app.settings.update(body));
}

/** Proxy headers health reports when present, after the configured trusted ones (spec §10.5). */
const KNOWN_PROXY_HEADERS = ['CF-Connecting-IP', 'Fly-Client-IP', 'X-Forwarded-For'];

function possibleProxyHeader(ctx: OperationContext): string {
  const candidates = [...ctx.app.settings.current.trustedProxy.headers, ...KNOWN_PROXY_HEADERS];
  return candidates.find((h) => ctx.headers[normalizeHeaderName(h)] !== undefined) ?? '';
}

export function health(ctx: OperationContext): { message: string; code: number; data: Record<string, unknown> } {
  const data: Record<string, unknown> = isSuperuser(ctx) ? { canBackup: ctx.app.backups.canBackup, realIP: ctx.ip, possibleProxyHeader: possibleProxyHeader(ctx) } : {};
  return { message: 'API is healthy.', code: 200, data };
}
