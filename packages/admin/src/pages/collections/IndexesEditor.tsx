import { useState } from 'react';
import type { CollectionField } from 'pocketbase';
import Button from '../../components/Button.tsx';
import { Check, FieldMessage } from '../../components/Field.tsx';
import { errorAt, type FieldErrors } from '../../lib/errors.ts';
import { indexSql } from './index-sql.ts';

export default function IndexesEditor({ indexes, onChange, fields, collectionName, errors }: { indexes: string[]; onChange: (v: string[]) => void; fields: CollectionField[]; collectionName: string; errors?: FieldErrors }) {
  const [columns, setColumns] = useState<string[]>([]);
  const [unique, setUnique] = useState(false);
  return (
    <section className="stack" aria-labelledby="indexes-title">
      <h3 id="indexes-title">Indexes</h3>
      {indexes.length === 0 && <p className="muted">No indexes.</p>}
      {indexes.map((sql, i) => (
        <div key={i}>
          <div className="row">
            <label className="sr-only" htmlFor={`index-${i}`}>
              Index {i + 1}
            </label>
            <input id={`index-${i}`} type="text" className="mono" style={{ flex: 1 }} value={sql} onChange={(e) => onChange(indexes.map((s, j) => (j === i ? e.target.value : s)))} />
            <Button small variant="danger" aria-label={`Remove index ${i + 1}`} onClick={() => onChange(indexes.filter((_, j) => j !== i))}>
              Remove
            </Button>
          </div>
          <FieldMessage error={errorAt(errors, i)} />
        </div>
      ))}
      <fieldset>
        <legend>New index</legend>
        <div className="row">
          {fields
            .filter((f) => f.name && f.type !== 'password')
            .map((f) => (
              <Check key={f.id || f.name} label={f.name} checked={columns.includes(f.name)} onChange={(v) => setColumns(v ? [...columns, f.name] : columns.filter((c) => c !== f.name))} />
            ))}
        </div>
        <div className="row" style={{ marginTop: 8 }}>
          <Check label="Unique" checked={unique} onChange={setUnique} />
          <Button
            small
            disabled={columns.length === 0}
            onClick={() => {
              onChange([...indexes, indexSql(collectionName, columns, unique)]);
              setColumns([]);
              setUnique(false);
            }}
          >
            Add index
          </Button>
        </div>
      </fieldset>
    </section>
  );
}
