import type { FieldKind } from './field-kind.ts';
import { NumberOption, TextOption } from './shared.tsx';

export const passwordField: FieldKind = {
  type: 'password',
  label: 'Password',
  defaults: { min: 0, max: 0, pattern: '', cost: 0 },
  Settings: (props) => (
    <div className="grid-2">
      <NumberOption name="min" label="Min length" props={props} />
      <NumberOption name="max" label="Max length" props={props} hint="0 means 71." />
      <TextOption name="pattern" label="Pattern (regex)" props={props} mono />
      <NumberOption name="cost" label="bcrypt cost" props={props} hint="0 means 10." />
    </div>
  ),
  Input: ({ value, onChange, record }) => (
    <input type="password" autoComplete="new-password" placeholder={record ? 'Leave empty to keep' : ''} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
  ),
  view: () => <span className="muted">••••••</span>,
  empty: () => '',
};
