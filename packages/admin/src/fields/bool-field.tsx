import type { FieldKind } from './field-kind.ts';

export const boolField: FieldKind = {
  type: 'bool',
  label: 'Bool',
  defaults: {},
  Settings: () => null,
  // The label of the form row names the checkbox (Field passes it the id).
  Input: ({ value, onChange }) => <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />,
  view: (value) => <span className={`badge ${value ? 'success' : ''}`}>{value ? 'true' : 'false'}</span>,
  empty: () => false,
};
