import { useState } from 'react';
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import Button from '../../components/Button.tsx';
import Dialog from '../../components/Dialog.tsx';
import Field, { FieldMessage } from '../../components/Field.tsx';
import { useToast } from '../../components/Toast.tsx';
import { isFileValue, storedNames } from '../../fields/file-field.tsx';
import { isMultiple } from '../../fields/field-kind.ts';
import { fieldKind } from '../../fields/registry.ts';
import { errorAt, errorMessage, fieldErrorsOf, flattenErrors, type FieldErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';

/** Fields the form shows: the server fills autodates on create and keeps tokenKey to itself. */
function editable(collection: CollectionModel, record: RecordModel | null): CollectionField[] {
  return collection.fields.filter((f) => !(collection.type === 'auth' && f.name === 'tokenKey') && !(f.type === 'autodate' && !record));
}

function initialValues(collection: CollectionModel, record: RecordModel | null): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const f of collection.fields) {
    if (f.type === 'file') {
      const names = record ? storedNames(record[f.name]) : [];
      values[f.name] = { keep: names, add: [], original: names };
    } else if (f.type === 'password') values[f.name] = '';
    else values[f.name] = record ? record[f.name] : fieldKind(f.type).empty(f);
  }
  if (collection.type === 'auth') values.passwordConfirm = '';
  return values;
}

/**
 * The request body for create/update. Files go as modifiers (`docs+` new uploads, `docs-`
 * removed names); the SDK switches to multipart when the body holds a File.
 */
function payload(collection: CollectionModel, record: RecordModel | null, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of collection.fields) {
    const v = values[f.name];
    if (f.type === 'autodate' || (collection.type === 'auth' && f.name === 'tokenKey')) continue;
    if (f.name === 'id') {
      if (!record && v) body.id = v;
      continue;
    }
    if (f.type === 'password') {
      if (v) {
        body[f.name] = v;
        if (collection.type === 'auth' && f.name === 'password') body.passwordConfirm = values.passwordConfirm;
      }
      continue;
    }
    if (f.type === 'file') {
      if (!isFileValue(v)) continue;
      const removed = v.original.filter((n) => !v.keep.includes(n));
      if (isMultiple(f)) {
        if (removed.length) body[`${f.name}-`] = removed;
        if (v.add.length) body[`${f.name}+`] = v.add;
      } else if (v.add.length) body[f.name] = v.add[0];
      else if (removed.length) body[f.name] = '';
      continue;
    }
    body[f.name] = v;
  }
  return body;
}

export default function RecordForm({ collection, record, onClose, onSaved }: { collection: CollectionModel; record: RecordModel | null; onClose: () => void; onSaved: (r: RecordModel) => void }) {
  const toast = useToast();
  const [values, setValues] = useState(() => initialValues(collection, record));
  const [invalid, setInvalid] = useState<Record<string, string | undefined>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const readOnly = collection.type === 'view';

  const save = async () => {
    const blocked = Object.entries(invalid).find(([, p]) => p);
    if (blocked) {
      setError(`${blocked[0]}: ${blocked[1]}`);
      return;
    }
    setSaving(true);
    setError(undefined);
    setErrors({});
    try {
      const body = payload(collection, record, values);
      const saved = record ? await pb.collection(collection.name).update(record.id, body) : await pb.collection(collection.name).create(body);
      toast.show(record ? 'Record saved.' : 'Record created.', 'success');
      onSaved(saved);
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!record) return;
    setSaving(true);
    try {
      await pb.collection(collection.name).delete(record.id);
      toast.show('Record deleted.', 'success');
      onSaved(record);
    } catch (err) {
      setError(errorMessage(err));
      setConfirmDelete(false);
    } finally {
      setSaving(false);
    }
  };

  const fields = editable(collection, record);
  const shown = new Set([...fields.map((f) => f.name), 'passwordConfirm']);
  const unplaced = flattenErrors(Object.fromEntries(Object.entries(errors).filter(([k]) => !shown.has(k))));

  return (
    <Dialog
      title={record ? `${collection.name} · ${record.id}` : `New ${collection.name} record`}
      onClose={onClose}
      size="drawer"
      onSubmit={readOnly ? undefined : save}
      footer={
        readOnly ? undefined : (
          <>
            {error && (
              <p className="error-text" role="alert" style={{ flex: 1 }}>
                {error}
              </p>
            )}
            {record &&
              (confirmDelete ? (
                <>
                  <span>Delete this record?</span>
                  <Button variant="danger-solid" busy={saving} onClick={remove}>
                    Yes, delete
                  </Button>
                  <Button onClick={() => setConfirmDelete(false)}>No</Button>
                </>
              ) : (
                <Button variant="danger" onClick={() => setConfirmDelete(true)}>
                  Delete
                </Button>
              ))}
            <span className="spacer" />
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={saving}>
              {record ? 'Save' : 'Create'}
            </Button>
          </>
        )
      }
    >
      <div className="stack">
        {fields.map((f) => {
          const kind = fieldKind(f.type);
          const fieldError = errorAt(errors, f.name);
          const isId = f.name === 'id';
          return (
            <div key={f.id || f.name} data-field={f.name} className="stack">
              <Field
                label={
                  <>
                    {f.name} <span className="muted">({f.type}{f.required ? ', required' : ''})</span>
                  </>
                }
                error={fieldError}
                hint={isId && !record ? 'Leave empty for a generated id.' : f.help ? String(f.help) : undefined}
              >
                {isId && record ? (
                  <input type="text" readOnly className="mono" value={record.id} />
                ) : readOnly ? (
                  <div>{kind.view(record?.[f.name], record!, f)}</div>
                ) : (
                  kind.Input({
                    field: f,
                    value: values[f.name],
                    record,
                    error: fieldError,
                    onChange: (v) => setValues((old) => ({ ...old, [f.name]: v })),
                    onInvalid: (p) => setInvalid((old) => ({ ...old, [f.name]: p })),
                  })
                )}
              </Field>
              {collection.type === 'auth' && f.name === 'password' && !readOnly && (
                <Field label="passwordConfirm" error={errorAt(errors, 'passwordConfirm')}>
                  <input type="password" autoComplete="new-password" value={String(values.passwordConfirm ?? '')} onChange={(e) => setValues((old) => ({ ...old, passwordConfirm: e.target.value }))} />
                </Field>
              )}
            </div>
          );
        })}
        {unplaced.map((m) => (
          <FieldMessage key={m} error={m} />
        ))}
      </div>
    </Dialog>
  );
}
