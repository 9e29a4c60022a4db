/**
 * E-mail templates: `{PLACEHOLDER}` substitution over a subject and an HTML body. Values are
 * HTML-escaped in the body, so a record field such as a user's name cannot inject markup; the
 * subject is a header, so line breaks are removed there instead.
 * @module
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Placeholder name → value. `RECORD:<field>` keys come from {@link recordPlaceholders}. */
export type TemplateValues = Record<string, string>;

const PLACEHOLDER = /\{([A-Z_]+(?::[A-Za-z0-9_]+)?)\}/g;

/**
 * Replaces each known `{NAME}` (and `{RECORD:field}`) in `text`; unknown placeholders stay as
 * written, so a typo is visible in the mail rather than silently blank.
 * @example renderTemplateText('Hi {RECORD:name}', { 'RECORD:name': '<b>' }, 'html') // 'Hi &lt;b&gt;'
 */
export function renderTemplateText(text: string, values: TemplateValues, mode: 'html' | 'subject'): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) return whole;
    return mode === 'html' ? escapeHtml(value) : value.replace(/[\r\n]+/g, ' ');
  });
}

/** `RECORD:<field>` values of a record's scalar fields (objects and arrays are JSON). */
export function recordPlaceholders(record: Record<string, unknown>, hidden: ReadonlySet<string>): TemplateValues {
  const out: TemplateValues = {};
  for (const [k, v] of Object.entries(record)) {
    if (hidden.has(k)) continue;
    out[`RECORD:${k}`] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
