import type { FieldKind } from './field-kind.ts';
import { BoolOption, NumberOption, TextOption, textCell } from './shared.tsx';

export const textField: FieldKind = {
  type: 'text',
  label: 'Plain text',
  defaults: { min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false },
  Settings: (props) => (
    <div className="grid-2">
      <NumberOption name="min" label="Min length" props={props} />
      <NumberOption name="max" label="Max length" props={props} hint="0 means 5000." />
      <TextOption name="pattern" label="Pattern (regex)" props={props} mono />
      <TextOption name="autogeneratePattern" label="Autogenerate pattern" props={props} mono hint="e.g. [a-z0-9]{15}" />
      {props.field.primaryKey === true && <BoolOption name="primaryKey" label="Primary key" props={props} />}
    </div>
  ),
  Input: ({ field, value, onChange }) => (
    <input type="text" required={field.required} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
  ),
  view: textCell,
  empty: () => '',
};
