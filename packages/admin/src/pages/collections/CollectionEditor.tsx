import { useEffect, useRef, useState } from 'react';
import { ClientResponseError, type CollectionField, type CollectionModel } from 'pocketbase';
import Button from '../../components/Button.tsx';
import Dialog from '../../components/Dialog.tsx';
import Field, { Check, FieldMessage } from '../../components/Field.tsx';
import { useToast } from '../../components/Toast.tsx';
import { FIELD_KINDS, fieldKind } from '../../fields/registry.ts';
import { useCollections } from '../../lib/collections-context.tsx';
import { errorAt, errorMessage, errorsAt, fieldErrorsOf, flattenErrors, type FieldErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { navigate } from '../../lib/router.ts';
import type { Editing } from '../../Shell.tsx';
import AuthOptions, { AUTH_OPTION_KEYS, withoutBlankSecrets } from './AuthOptions.tsx';
import IndexesEditor from './IndexesEditor.tsx';
import { retargetIndexes } from './index-sql.ts';
import RuleEditor from './RuleEditor.tsx';
import { checkRules, type RuleCheckResult, type RuleName } from './rule-check.ts';

type Tab = 'fields' | 'query' | 'rules' | 'auth' | 'danger';

const RULE_HELP: Record<RuleName, string> = {
  listRule: 'Who can list and search records. Rows the rule rejects are filtered out silently.',
  viewRule: 'Who can view one record.',
  createRule: 'Who can create records; @request.body.* is the submitted data.',
  updateRule: 'Who can update records.',
  deleteRule: 'Who can delete records.',
  authRule: 'Extra condition to sign in (after the credentials are checked). Empty: any account.',
  manageRule: 'Who can manage other accounts of this collection (change email, password…) like a superuser.',
};

/** Field ids only need to be unique inside the collection; a local one keeps React keys stable. */
function newFieldId(): string {
  return `field${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
}

function FieldCard({ field, index, onChange, onRemove, onMove, errors, count }: { field: CollectionField; index: number; onChange: (patch: Partial<CollectionField>) => void; onRemove: () => void; onMove: (dir: -1 | 1) => void; errors?: FieldErrors; count: number }) {
  const { collections } = useCollections();
  const [open, setOpen] = useState(!field.name);
  const kind = fieldKind(field.type);
  const hasErrors = errors && Object.keys(errors).length > 0;
  const optionErrors = hasErrors ? Object.fromEntries(Object.entries(errors!).filter(([k]) => k !== 'name')) : undefined;
  const label = field.name || `new ${kind.label.toLowerCase()} field`;
  return (
    <div className="field-card" data-field={field.name}>
      <div className="field-card-head">
        <span className="type-tag">{field.type}</span>
        <label className="sr-only" htmlFor={`field-name-${field.id}`}>
          Field name ({field.type})
        </label>
        <input
          id={`field-name-${field.id}`}
          type="text"
          className="mono"
          placeholder="field_name"
          value={field.name}
          disabled={field.system}
          aria-invalid={errorAt(errors, 'name') ? true : undefined}
          onChange={(e) => onChange({ name: e.target.value })}
        />
        {field.type !== 'autodate' && <Check label="Required" checked={field.required === true} disabled={field.system && field.name === 'id'} onChange={(v) => onChange({ required: v })} />}
        <Check label="Hidden" checked={field.hidden === true} onChange={(v) => onChange({ hidden: v })} />
        <Check label="Presentable" checked={field.presentable === true} onChange={(v) => onChange({ presentable: v })} />
        <Button small variant="ghost" aria-label={`Move ${label} up`} disabled={index === 0} onClick={() => onMove(-1)}>
          ↑
        </Button>
        <Button small variant="ghost" aria-label={`Move ${label} down`} disabled={index === count - 1} onClick={() => onMove(1)}>
          ↓
        </Button>
        <Button small aria-expanded={open} aria-label={`Options of ${label}`} onClick={() => setOpen(!open)}>
          Options
        </Button>
        {!field.system && (
          <Button small variant="danger" aria-label={`Remove ${label}`} onClick={onRemove}>
            Remove
          </Button>
        )}
      </div>
      {errorAt(errors, 'name') && (
        <div className="field-card-body">
          <FieldMessage error={`name: ${errorAt(errors, 'name')}`} />
        </div>
      )}
      {(open || (optionErrors && Object.keys(optionErrors).length > 0)) && (
        <div className="field-card-body stack">
          {kind.Settings({ field, onChange, errors: optionErrors, collections })}
          {field.type !== 'autodate' && (
            <Field label="Help text" error={errorAt(errors, 'help')}>
              <input type="text" value={String(field.help ?? '')} onChange={(e) => onChange({ help: e.target.value })} />
            </Field>
          )}
          {flattenErrors(optionErrors)
            .filter((m) => !['help'].some((k) => m.startsWith(`${k}:`)))
            .map((m) => (
              <FieldMessage key={m} error={m} />
            ))}
        </div>
      )}
    </div>
  );
}

function DangerZone({ collection, onDone }: { collection: CollectionModel; onDone: () => void }) {
  const toast = useToast();
  const { reload } = useCollections();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (what: 'truncate' | 'delete') => {
    setBusy(true);
    setError(undefined);
    try {
      if (what === 'truncate') await pb.collections.truncate(collection.name);
      else await pb.collections.delete(collection.name);
      toast.show(what === 'truncate' ? `Deleted every record of ${collection.name}.` : `Deleted the collection ${collection.name}.`, 'success');
      await reload();
      if (what === 'delete') navigate('collections');
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const confirmed = typed === collection.name;
  return (
    <div className="stack">
      <p>
        Type <code>{collection.name}</code> to enable the actions below. They cannot be undone.
      </p>
      <Field label="Collection name">
        <input type="text" className="mono" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </Field>
      <div className="row">
        {collection.type !== 'view' && (
          <Button variant="danger" disabled={!confirmed} busy={busy} onClick={() => run('truncate')}>
            Delete all records
          </Button>
        )}
        {!collection.system && (
          <Button variant="danger-solid" disabled={!confirmed} busy={busy} onClick={() => run('delete')}>
            Delete collection
          </Button>
        )}
      </div>
      <FieldMessage error={error} />
    </div>
  );
}

export default function CollectionEditor({ editing, onClose }: { editing: NonNullable<Editing>; onClose: () => void }) {
  const toast = useToast();
  const { reload } = useCollections();
  const existing = 'collection' in editing ? editing.collection : null;
  const [draft, setDraft] = useState<CollectionModel | null>(() => (existing ? structuredClone(existing) : null));
  const [tab, setTab] = useState<Tab>(existing?.type === 'view' || ('type' in editing && editing.type === 'view') ? 'query' : 'fields');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [addType, setAddType] = useState('text');
  const [check, setCheck] = useState<RuleCheckResult>({ problems: {} });
  const [checking, setChecking] = useState(false);
  const firstCheck = useRef(true);

  // A new collection starts from the server's scaffold (system fields, auth options, defaults).
  useEffect(() => {
    if (existing || !('type' in editing)) return;
    pb.collections
      .getScaffolds({ requestKey: null })
      .then((s) => setDraft({ ...structuredClone(s[editing.type] as CollectionModel), name: '' }))
      .catch((err) => setError(errorMessage(err)));
  }, [editing, existing]);

  const rules: RuleName[] = draft?.type === 'auth' ? ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'authRule', 'manageRule'] : ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];
  const ruleKey = draft ? JSON.stringify([rules.map((r) => draft[r]), draft.fields, draft.viewQuery]) : '';

  // Check the rules 400 ms after the last change to them (or to what they refer to).
  useEffect(() => {
    if (!draft || tab !== 'rules') return;
    if (firstCheck.current && existing) {
      firstCheck.current = false;
      // A saved collection's rules were valid when saved; skip the first round trip.
      return;
    }
    setChecking(true);
    const timer = setTimeout(() => {
      checkRules(draft)
        .then((r) => {
          setCheck(r);
          setChecking(false);
        })
        .catch((err) => {
          if (!(err instanceof ClientResponseError && err.isAbort)) setChecking(false);
        });
    }, 400);
    return () => clearTimeout(timer);
    // ruleKey stands for the parts of the draft the check depends on.
  }, [ruleKey, tab]);

  if (!draft) {
    return (
      <Dialog title="New collection" onClose={onClose} size="drawer">
        {error ? <p className="error-text">{error}</p> : <p className="muted">Loading…</p>}
      </Dialog>
    );
  }

  const set = (patch: Partial<CollectionModel>) => setDraft({ ...draft, ...patch } as CollectionModel);
  const setField = (i: number, patch: Partial<CollectionField>) => set({ fields: draft.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  const moveField = (i: number, dir: -1 | 1) => {
    const fields = [...draft.fields];
    [fields[i], fields[i + dir]] = [fields[i + dir], fields[i]];
    set({ fields });
    setErrors({});
  };
  const addField = () => {
    const kind = fieldKind(addType);
    set({ fields: [...draft.fields, { id: newFieldId(), name: '', type: addType, system: false, hidden: false, presentable: false, required: false, ...kind.defaults } as CollectionField] });
  };

  const save = async () => {
    setSaving(true);
    setError(undefined);
    setErrors({});
    try {
      const body = { ...withoutBlankSecrets(draft), created: undefined, updated: undefined };
      const saved = existing ? await pb.collections.update(existing.id, body) : await pb.collections.create(body);
      toast.show(`Saved ${saved.name}.`, 'success');
      await reload();
      navigate('collections', saved.name);
      onClose();
    } catch (err) {
      const data = fieldErrorsOf(err);
      setErrors(data);
      setError(errorMessage(err));
      // Open the tab that holds the first problem.
      if (data.fields || data.indexes) setTab('fields');
      else if (data.viewQuery) setTab('query');
      else if (rules.some((r) => data[r])) setTab('rules');
      else if (draft.type === 'auth' && AUTH_OPTION_KEYS.some((k) => data[k])) setTab('auth');
    } finally {
      setSaving(false);
    }
  };

  const tabs: Array<[Tab, string]> = [
    ...(draft.type === 'view' ? ([['query', 'Query']] as Array<[Tab, string]>) : [['fields', 'Fields & indexes'] as [Tab, string]]),
    ['rules', 'API rules'],
    ...(draft.type === 'auth' ? ([['auth', 'Auth options']] as Array<[Tab, string]>) : []),
    ...(existing ? ([['danger', 'Danger zone']] as Array<[Tab, string]>) : []),
  ];
  // The auth tab lists its own errors; elsewhere they show here too, besides the tab's ⚠.
  const shown = new Set<string>(['name', 'fields', 'indexes', 'viewQuery', ...rules, ...(tab === 'auth' ? AUTH_OPTION_KEYS : [])]);
  const otherErrors = flattenErrors(Object.fromEntries(Object.entries(errors).filter(([k]) => !shown.has(k))));

  return (
    <Dialog
      title={existing ? `Edit ${existing.name}` : `New ${draft.type} collection`}
      onClose={onClose}
      size="drawer"
      onSubmit={save}
      footer={
        <>
          {error && (
            <p className="error-text" role="alert" style={{ flex: 1 }}>
              {error}
            </p>
          )}
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={saving}>
            {existing ? 'Save changes' : 'Create'}
          </Button>
        </>
      }
    >
      <div className="stack">
        <Field label="Name" error={errorAt(errors, 'name')} hint={draft.system ? 'System collections keep their name.' : 'Letters, digits and _; used in the API URL.'}>
          <input type="text" className="mono" value={draft.name} disabled={draft.system} onChange={(e) => set({ name: e.target.value, indexes: retargetIndexes(draft.indexes, draft.name, e.target.value) })} autoFocus={!existing} />
        </Field>
        <div className="tabs" role="tablist" aria-label="Collection settings">
          {tabs.map(([t, label]) => (
            <button key={t} type="button" role="tab" id={`tab-${t}`} className="tab" aria-selected={tab === t} aria-controls={`panel-${t}`} onClick={() => setTab(t)}>
              {label}
              {t === 'fields' && (errors.fields || errors.indexes) ? ' ⚠' : ''}
              {t === 'rules' && rules.some((r) => errors[r] || check.problems[r]) ? ' ⚠' : ''}
              {t === 'auth' && AUTH_OPTION_KEYS.some((k) => errors[k]) ? ' ⚠' : ''}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="stack">
          {tab === 'fields' && (
            <>
              <FieldMessage error={errorAt(errors, 'fields')} />
              {draft.fields.map((f, i) => (
                <FieldCard
                  key={f.id || i}
                  field={f}
                  index={i}
                  count={draft.fields.length}
                  errors={errorsAt(errors, 'fields', i)}
                  onChange={(patch) => setField(i, patch)}
                  onMove={(dir) => moveField(i, dir)}
                  onRemove={() => {
                    set({ fields: draft.fields.filter((_, j) => j !== i) });
                    setErrors({});
                  }}
                />
              ))}
              <div className="row">
                <label className="sr-only" htmlFor="add-field-type">
                  New field type
                </label>
                <select id="add-field-type" style={{ width: 'auto' }} value={addType} onChange={(e) => setAddType(e.target.value)}>
                  {FIELD_KINDS.filter((k) => k.type !== 'password' || draft.type === 'auth').map((k) => (
                    <option key={k.type} value={k.type}>
                      {k.label}
                    </option>
                  ))}
                </select>
                <Button onClick={addField}>Add field</Button>
              </div>
              <IndexesEditor indexes={draft.indexes} onChange={(indexes) => set({ indexes })} fields={draft.fields} collectionName={draft.name} errors={errorsAt(errors, 'indexes')} />
              <FieldMessage error={errorAt(errors, 'indexes')} />
            </>
          )}
          {tab === 'query' && (
            <Field label="SQL query" error={errorAt(errors, 'viewQuery')} hint="A SELECT whose columns become the view's fields; it must return an id column.">
              <textarea className="mono" rows={10} spellCheck={false} value={draft.viewQuery ?? ''} onChange={(e) => set({ viewQuery: e.target.value })} />
            </Field>
          )}
          {tab === 'rules' && (
            <>
              <p className="muted">Checked against the server as you type. “Superusers only” locks the action; an empty rule opens it to everyone.</p>
              {check.unchecked && <p className="muted">{check.unchecked}</p>}
              {rules.map((r) => (
                <RuleEditor
                  key={r}
                  label={r}
                  value={(draft[r] as string | null | undefined) ?? null}
                  disabled={draft.type === 'view' && (r === 'createRule' || r === 'updateRule' || r === 'deleteRule')}
                  onChange={(v) => {
                    set({ [r]: v } as Partial<CollectionModel>);
                    setErrors((e) => ({ ...e, [r]: undefined }) as FieldErrors);
                  }}
                  problem={check.problems[r] ?? errorAt(errors, r)}
                  checking={checking}
                  help={RULE_HELP[r]}
                />
              ))}
            </>
          )}
          {tab === 'auth' && <AuthOptions draft={draft} saved={existing} set={set} errors={errors} onStructureChange={() => setErrors({})} />}
          {tab === 'danger' && existing && <DangerZone collection={existing} onDone={onClose} />}
          {otherErrors.map((m) => (
            <FieldMessage key={m} error={m} />
          ))}
        </div>
      </div>
    </Dialog>
  );
}
