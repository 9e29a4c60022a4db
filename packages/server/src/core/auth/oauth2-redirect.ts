/**
 * The provider's redirect in the SDK's all-in-one OAuth2 flow (spec §6.7.2): the browser lands
 * on `/api/oauth2-redirect` with `code` and `state`, where `state` is the id of the realtime
 * client that started the flow. The code goes to that one client over its `@oauth2`
 * subscription and nowhere else; the route itself never redirects to a URL taken from input.
 * @module
 */
import type { App } from '../app.ts';

/** The realtime topic the SDK subscribes to while it waits for the redirect. */
export const OAUTH2_TOPIC = '@oauth2';

/** How long Apple's first-sign-in name is kept for the code exchange (PocketBase: 1 minute). */
const APPLE_NAME_TTL_MS = 60_000;
const appleNames = new WeakMap<App, Map<string, { name: string; expires: number }>>();

export interface OAuth2RedirectInput {
  state: string;
  code: string;
  error: string;
  /** Apple's `user` form field (JSON with `name.firstName`/`lastName`), first sign-in only. */
  user?: string;
  /** IP of the redirect request: it must be the one the realtime client connected from. */
  ip: string;
}

/**
 * Forwards the redirect to the realtime client named by `state`. Returns true when a code was
 * delivered, false when nothing was (unknown or foreign client, no subscription, provider error).
 */
export function deliverOAuth2Redirect(app: App, input: OAuth2RedirectInput): boolean {
  if (!input.state || input.state.length > 255) return false;
  const client = app.realtime.findClient(input.state);
  if (!client || client.ip !== input.ip) return false;
  const data: Record<string, string> = { state: input.state, code: input.code };
  if (input.error) data.error = input.error;
  // emitTo, not emit: emit would reach every `@oauth2` subscriber, not only the one named by state.
  if (app.realtime.emitTo(client.id, OAUTH2_TOPIC, data) === 0) return false;
  // Only for a code that reached a client; the exchange that reads the name is a later request.
  if (input.user && input.code) rememberAppleName(app, input.code, input.user);
  app.realtime.unsubscribe(client, [OAUTH2_TOPIC]);
  return input.code !== '' && !input.error;
}

function rememberAppleName(app: App, code: string, user: string): void {
  let parsed: { name?: { firstName?: unknown; lastName?: unknown } };
  try {
    parsed = JSON.parse(user);
  } catch {
    return;
  }
  const name = [parsed?.name?.firstName, parsed?.name?.lastName].filter((p) => typeof p === 'string' && p !== '').join(' ').slice(0, 255);
  if (!name) return;
  let names = appleNames.get(app);
  if (!names) appleNames.set(app, (names = new Map()));
  const now = Date.now();
  if (names.size > 1000) for (const [k, v] of names) if (v.expires <= now) names.delete(k);
  if (names.size <= 1000) names.set(code, { name, expires: now + APPLE_NAME_TTL_MS });
}

/** The name Apple sent with `code` on the redirect, if it was sent less than a minute ago. */
export function takeAppleName(app: App, code: string): string {
  const names = appleNames.get(app);
  const hit = names?.get(code);
  if (!hit) return '';
  names!.delete(code);
  return hit.expires > Date.now() ? hit.name : '';
}
