import type { FieldKind } from './field-kind.ts';
import { DomainOptions, textCell } from './shared.tsx';

export const emailField: FieldKind = {
  type: 'email',
  label: 'Email',
  defaults: { exceptDomains: null, onlyDomains: null },
  Settings: (props) => <DomainOptions props={props} />,
  Input: ({ value, onChange }) => <input type="email" autoComplete="off" value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />,
  view: textCell,
  empty: () => '',
};
