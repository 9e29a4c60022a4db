import type { CollectionField } from 'pocketbase';
import { isMultiple, type FieldKind } from './field-kind.ts';
import { ListOption, NumberOption } from './shared.tsx';

function values(field: CollectionField): string[] {
  return Array.isArray(field.values) ? (field.values as string[]) : [];
}

export const selectField: FieldKind = {
  type: 'select',
  label: 'Select',
  defaults: { values: [], maxSelect: 1 },
  Settings: (props) => (
    <div className="grid-2">
      <ListOption name="values" label="Choices" props={props} />
      <NumberOption name="maxSelect" label="Max select" props={props} hint="1 = single choice." />
    </div>
  ),
  Input: ({ field, value, onChange }) => {
    if (!isMultiple(field)) {
      return (
        <select value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
          <option value="">— none —</option>
          {values(field).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
    }
    const selected = Array.isArray(value) ? (value as string[]) : [];
    return (
      <div className="row" role="group">
        {values(field).map((v) => (
          <label key={v} className="check">
            <input
              type="checkbox"
              checked={selected.includes(v)}
              onChange={(e) => onChange(e.target.checked ? [...selected, v] : selected.filter((s) => s !== v))}
            />
            {v}
          </label>
        ))}
      </div>
    );
  },
  view: (value) => {
    const list = (Array.isArray(value) ? value : [value]).filter((v) => v !== '' && v !== null && v !== undefined);
    return list.length ? list.map((v) => <span key={String(v)} className="chip">{String(v)}</span>) : <span className="muted">—</span>;
  },
  empty: (field) => (isMultiple(field) ? [] : ''),
};
