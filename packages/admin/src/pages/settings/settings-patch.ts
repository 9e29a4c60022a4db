/**
 * The smallest PATCH body for /api/settings: only what the user changed. The server deep-merges
 * objects and replaces arrays (spec §10.1), so changed arrays go whole and unchanged keys are left
 * out, and a concurrent edit of another section by someone else is not overwritten.
 * Checked by test/unit-settings-patch.test.ts.
 * @module
 */

/** Write-only secrets (smtp.password, s3.secret, backups.s3.secret): empty means "keep the stored one". */
export const WRITE_ONLY_KEYS: ReadonlySet<string> = new Set(['password', 'secret']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The keys of `draft` that differ from `original`, nested like the settings object; `undefined`
 * when nothing changed. A write-only key is sent only when the user typed a value.
 */
export function settingsPatch(original: unknown, draft: unknown): Record<string, unknown> | undefined {
  if (!isObject(draft)) return undefined;
  const base = isObject(original) ? original : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft)) {
    if (WRITE_ONLY_KEYS.has(key)) {
      if (typeof value === 'string' && value !== '') out[key] = value;
      continue;
    }
    if (isObject(value)) {
      const sub = settingsPatch(base[key], value);
      if (sub) out[key] = sub;
    } else if (!same(base[key], value)) {
      out[key] = value;
    }
  }
  return Object.keys(out).length ? out : undefined;
}
