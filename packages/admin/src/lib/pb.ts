/**
 * The one PocketBase SDK client of the dashboard. The dashboard talks to the server only through
 * the public REST API (STYLE §1), so it uses the same client app developers use.
 * @module
 */
import PocketBase from 'pocketbase';

/** Same origin as the page: the server serves the dashboard at `/_/` beside `/api/`. */
export const pb = new PocketBase(window.location.origin);
