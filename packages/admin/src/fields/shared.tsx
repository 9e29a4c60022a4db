/** Option editors several field types share. */
import Field, { Check } from '../components/Field.tsx';
import { errorAt } from '../lib/errors.ts';
import type { SettingsProps } from './field-kind.ts';

/** A numeric option; empty means "not set" (null for min/max of numbers, 0 elsewhere). */
export function NumberOption({ name, label, props, nullable, hint }: { name: string; label: string; props: SettingsProps; nullable?: boolean; hint?: string }) {
  const v = props.field[name];
  return (
    <Field label={label} error={errorAt(props.errors, name)} hint={hint}>
      <input
        type="number"
        value={v === null || v === undefined || (!nullable && v === 0) ? '' : String(v)}
        onChange={(e) => props.onChange({ [name]: e.target.value === '' ? (nullable ? null : 0) : Number(e.target.value) })}
      />
    </Field>
  );
}

export function TextOption({ name, label, props, hint, mono }: { name: string; label: string; props: SettingsProps; hint?: string; mono?: boolean }) {
  return (
    <Field label={label} error={errorAt(props.errors, name)} hint={hint}>
      <input type="text" className={mono ? 'mono' : undefined} value={String(props.field[name] ?? '')} onChange={(e) => props.onChange({ [name]: e.target.value })} />
    </Field>
  );
}

/** A list option edited as comma-separated text (domains, MIME types, thumb sizes). */
export function ListOption({ name, label, props, hint }: { name: string; label: string; props: SettingsProps; hint?: string }) {
  const list = Array.isArray(props.field[name]) ? (props.field[name] as string[]) : [];
  return (
    <Field label={label} error={errorAt(props.errors, name)} hint={hint ?? 'Comma-separated.'}>
      <input
        type="text"
        defaultValue={list.join(', ')}
        onBlur={(e) => props.onChange({ [name]: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })}
      />
    </Field>
  );
}

export function BoolOption({ name, label, props }: { name: string; label: string; props: SettingsProps }) {
  return (
    <div className="field">
      <Check label={label} checked={props.field[name] === true} onChange={(v) => props.onChange({ [name]: v })} />
      {errorAt(props.errors, name) && <p className="error-text">{errorAt(props.errors, name)}</p>}
    </div>
  );
}

/** email and url: allow-list or deny-list of domains (mutually exclusive on the server). */
export function DomainOptions({ props }: { props: SettingsProps }) {
  return (
    <div className="grid-2">
      <ListOption name="onlyDomains" label="Only domains" props={props} />
      <ListOption name="exceptDomains" label="Except domains" props={props} />
    </div>
  );
}

export function textCell(value: unknown) {
  const s = value === null || value === undefined ? '' : String(value);
  return s === '' ? <span className="muted">—</span> : <span className="cell-text" title={s.length > 40 ? s : undefined}>{s}</span>;
}
