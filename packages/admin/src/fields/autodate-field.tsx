import { formatDate } from '../lib/datetime.ts';
import type { FieldKind } from './field-kind.ts';
import { BoolOption } from './shared.tsx';

export const autodateField: FieldKind = {
  type: 'autodate',
  label: 'Autodate',
  defaults: { onCreate: true, onUpdate: false },
  Settings: (props) => (
    <div className="row">
      <BoolOption name="onCreate" label="Set on create" props={props} />
      <BoolOption name="onUpdate" label="Set on update" props={props} />
    </div>
  ),
  // The server sets these; the form shows them read-only.
  Input: ({ value }) => <input type="text" readOnly value={value ? formatDate(value) : 'set by the server'} />,
  view: (value) => (value ? <span title={String(value)}>{formatDate(value)}</span> : <span className="muted">—</span>),
  empty: () => '',
};
