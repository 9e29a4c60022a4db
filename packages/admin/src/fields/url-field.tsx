import type { FieldKind } from './field-kind.ts';
import { DomainOptions, textCell } from './shared.tsx';

export const urlField: FieldKind = {
  type: 'url',
  label: 'URL',
  defaults: { exceptDomains: null, onlyDomains: null },
  Settings: (props) => <DomainOptions props={props} />,
  Input: ({ value, onChange }) => <input type="url" value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} placeholder="https://" />,
  view: textCell,
  empty: () => '',
};
