/**
 * What the side benchmarks (files.ts, realtime.ts) need to drive a Basalt they started: the
 * superuser they create, waiting until it answers, and JSON POSTs that fail loudly.
 * @module
 */

/** The superuser each side benchmark creates with `basalt superuser upsert`. */
export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-123' };

/** Resolves once `base + path` answers below 500; fails after about 15 s. */
export async function waitHealthy(base: string, path = '/api/health'): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base + path)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (i > 150) throw new Error(`${base} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs `body` as JSON and returns the decoded answer; any non-2xx throws with the response text. */
export async function postJson(base: string, path: string, body: unknown, token?: string): Promise<any> {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A token of {@link BENCH_ADMIN}. */
export async function benchAdminToken(base: string): Promise<string> {
  return (await postJson(base, '/api/collections/_superusers/auth-with-password', { identity: BENCH_ADMIN.email, password: BENCH_ADMIN.password })).token as string;
}
