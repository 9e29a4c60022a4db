import type { FieldKind } from './field-kind.ts';
import { BoolOption, NumberOption } from './shared.tsx';

export const numberField: FieldKind = {
  type: 'number',
  label: 'Number',
  defaults: { min: null, max: null, onlyInt: false },
  Settings: (props) => (
    <div className="grid-2">
      <NumberOption name="min" label="Min" props={props} nullable />
      <NumberOption name="max" label="Max" props={props} nullable />
      <BoolOption name="onlyInt" label="Integers only" props={props} />
    </div>
  ),
  Input: ({ field, value, onChange }) => (
    <input
      type="number"
      step={field.onlyInt ? 1 : 'any'}
      value={value === null || value === undefined || value === '' ? '' : String(value)}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
    />
  ),
  view: (value) => <span>{value === null || value === undefined ? '' : String(value)}</span>,
  empty: () => null,
};
