import Field from '../components/Field.tsx';
import { formatDate, fromLocalInput, toLocalInput } from '../lib/datetime.ts';
import { errorAt } from '../lib/errors.ts';
import type { FieldKind, SettingsProps } from './field-kind.ts';

function DateOption({ name, label, props }: { name: 'min' | 'max'; label: string; props: SettingsProps }) {
  return (
    <Field label={label} error={errorAt(props.errors, name)}>
      <input type="datetime-local" step={1} value={toLocalInput(props.field[name])} onChange={(e) => props.onChange({ [name]: fromLocalInput(e.target.value) })} />
    </Field>
  );
}

export const dateField: FieldKind = {
  type: 'date',
  label: 'Datetime',
  defaults: { min: '', max: '' },
  Settings: (props) => (
    <div className="grid-2">
      <DateOption name="min" label="Min date" props={props} />
      <DateOption name="max" label="Max date" props={props} />
    </div>
  ),
  // datetime-local edits local time; the stored value is UTC in PocketBase's format.
  Input: ({ value, onChange }) => (
    <input type="datetime-local" step={1} value={toLocalInput(value)} onChange={(e) => onChange(fromLocalInput(e.target.value))} />
  ),
  view: (value) => (value ? <span title={String(value)}>{formatDate(value)}</span> : <span className="muted">—</span>),
  empty: () => '',
};
