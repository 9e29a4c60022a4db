import { useEffect, useState } from 'react';
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import Button from '../components/Button.tsx';
import Dialog from '../components/Dialog.tsx';
import Field from '../components/Field.tsx';
import { useCollections } from '../lib/collections-context.tsx';
import { errorAt, errorMessage } from '../lib/errors.ts';
import { pb } from '../lib/pb.ts';
import { isMultiple, type FieldKind, type InputProps } from './field-kind.ts';
import { BoolOption, NumberOption } from './shared.tsx';

/** The text that names a record in pickers: its presentable fields, else its first text fields. */
export function recordLabel(collection: CollectionModel | undefined, record: RecordModel): string {
  const fields = collection?.fields ?? [];
  const chosen = fields.filter((f) => f.presentable);
  const names = (chosen.length ? chosen : fields.filter((f) => (f.type === 'text' || f.type === 'email') && f.name !== 'id' && !f.hidden).slice(0, 1)).map((f) => f.name);
  const parts = names.map((n) => record[n]).filter((v) => v !== '' && v !== null && v !== undefined).map(String);
  return parts.length ? parts.join(' · ') : record.id;
}

function idList(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Quotes a user's search text as a filter string literal. */
function literal(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function RelationPicker({ target, multiple, selected, onDone, onClose }: { target: CollectionModel; multiple: boolean; selected: string[]; onDone: (ids: string[]) => void; onClose: () => void }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<RecordModel[]>([]);
  const [error, setError] = useState<string>();
  const [chosen, setChosen] = useState<string[]>(selected);

  useEffect(() => {
    const searchable = target.fields.filter((f) => ['text', 'email', 'url', 'editor'].includes(f.type) && !f.hidden).map((f) => f.name);
    const filter = q.trim() ? [...new Set(['id', ...searchable])].map((n) => `${n} ~ ${literal(q.trim())}`).join(' || ') : '';
    const timer = setTimeout(() => {
      pb.collection(target.name)
        .getList(1, 50, { filter, skipTotal: true, requestKey: `relation-picker-${target.id}` })
        .then((r) => {
          setItems(r.items);
          setError(undefined);
        })
        .catch((err) => {
          if (!err?.isAbort) setError(errorMessage(err));
        });
    }, 200);
    return () => clearTimeout(timer);
  }, [q, target]);

  const toggle = (id: string, on: boolean) => setChosen((list) => (multiple ? (on ? [...list, id] : list.filter((x) => x !== id)) : on ? [id] : []));
  return (
    <Dialog
      title={`Choose from ${target.name}`}
      onClose={onClose}
      onSubmit={() => onDone(chosen)}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary">
            Select {chosen.length ? `(${chosen.length})` : ''}
          </Button>
        </>
      }
    >
      <Field label="Search" error={error}>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
      </Field>
      <ul className="picker-list">
        {items.length === 0 && <li className="empty">No records.</li>}
        {items.map((r) => (
          <li key={r.id}>
            <label>
              <input type={multiple ? 'checkbox' : 'radio'} name="relation-pick" checked={chosen.includes(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} />
              <span>{recordLabel(target, r)}</span>
              <code className="muted">{r.id}</code>
            </label>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

function RelationInput({ field, value, onChange }: InputProps) {
  const { collections } = useCollections();
  const target = collections.find((c) => c.id === field.collectionId);
  const multiple = isMultiple(field);
  const ids = idList(value);
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [picking, setPicking] = useState(false);
  const key = ids.join(',');

  useEffect(() => {
    if (!target || !key) return;
    const wanted = key.split(',');
    pb.collection(target.name)
      .getList(1, wanted.length, { filter: wanted.map((id) => `id = ${literal(id)}`).join(' || '), skipTotal: true, requestKey: null })
      .then((r) => setLabels(Object.fromEntries(r.items.map((rec) => [rec.id, recordLabel(target, rec)]))))
      .catch(() => undefined);
  }, [key, target]);

  if (!target) return <p className="error-text">The related collection no longer exists.</p>;
  return (
    <div>
      <div className="row">
        {ids.map((id) => (
          <span key={id} className="chip">
            {labels[id] ?? id}
            <button type="button" className="linklike" aria-label={`Remove ${labels[id] ?? id}`} onClick={() => onChange(multiple ? ids.filter((x) => x !== id) : '')}>
              ✕
            </button>
          </span>
        ))}
        <Button small onClick={() => setPicking(true)}>
          {ids.length ? 'Change…' : 'Choose…'}
        </Button>
      </div>
      {picking && (
        <RelationPicker
          target={target}
          multiple={multiple}
          selected={ids}
          onClose={() => setPicking(false)}
          onDone={(chosen) => {
            onChange(multiple ? chosen : (chosen[0] ?? ''));
            setPicking(false);
          }}
        />
      )}
    </div>
  );
}

/** A table cell: the related records' labels when the list expanded them, else their ids. */
function RelationCell({ value, record, field }: { value: unknown; record: RecordModel; field: CollectionField }) {
  const { collections } = useCollections();
  const target = collections.find((c) => c.id === field.collectionId);
  const ids = idList(value);
  if (!ids.length) return <span className="muted">—</span>;
  const expanded = record.expand?.[field.name] as RecordModel | RecordModel[] | undefined;
  const byId = new Map((Array.isArray(expanded) ? expanded : expanded ? [expanded] : []).map((r) => [r.id, r]));
  return ids.slice(0, 3).map((id) => {
    const rec = byId.get(id);
    return (
      <span key={id} className="chip" title={id}>
        {rec ? recordLabel(target, rec) : id}
      </span>
    );
  });
}

export const relationField: FieldKind = {
  type: 'relation',
  label: 'Relation',
  defaults: { collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 1 },
  Settings: (props) => (
    <div className="grid-2">
      <Field label="Related collection" error={errorAt(props.errors, 'collectionId')}>
        <select value={String(props.field.collectionId ?? '')} onChange={(e) => props.onChange({ collectionId: e.target.value })}>
          <option value="">— choose —</option>
          {props.collections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <NumberOption name="minSelect" label="Min select" props={props} />
      <NumberOption name="maxSelect" label="Max select" props={props} hint="1 = single relation." />
      <BoolOption name="cascadeDelete" label="Delete this record when the related one is deleted" props={props} />
    </div>
  ),
  Input: (props) => <RelationInput {...props} />,
  view: (value, record, field) => <RelationCell value={value} record={record} field={field} />,
  empty: (field) => (isMultiple(field) ? [] : ''),
};
