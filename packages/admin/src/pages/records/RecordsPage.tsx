import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { CollectionField, CollectionModel, ListResult, RecordModel } from 'pocketbase';
import Button from '../../components/Button.tsx';
import Dialog from '../../components/Dialog.tsx';
import { Check } from '../../components/Field.tsx';
import Table, { type Column } from '../../components/Table.tsx';
import { useToast } from '../../components/Toast.tsx';
import { isMultiple } from '../../fields/field-kind.ts';
import { fieldKind } from '../../fields/registry.ts';
import { errorMessage } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { href } from '../../lib/router.ts';
import RecordForm from './RecordForm.tsx';

const PER_PAGE_OPTIONS = [10, 20, 50, 100, 200];
/** Columns shown before the user picks: enough to recognise a row without scrolling sideways. */
const DEFAULT_COLUMNS = 7;

function columnsKey(collection: CollectionModel): string {
  return `basalt.columns.${collection.id}`;
}

function defaultColumns(collection: CollectionModel): string[] {
  return collection.fields.filter((f) => f.type !== 'password' && !f.hidden).slice(0, DEFAULT_COLUMNS).map((f) => f.name);
}

/** The user's saved choice, or null when there is none (then the defaults follow the schema). */
function loadColumns(collection: CollectionModel): string[] | null {
  try {
    const saved = JSON.parse(localStorage.getItem(columnsKey(collection)) ?? 'null') as unknown;
    if (Array.isArray(saved)) return saved.filter((n): n is string => typeof n === 'string');
  } catch {
    // A corrupt saved value falls back to the defaults.
  }
  return null;
}

function ColumnChooser({ fields, visible, onChange }: { fields: CollectionField[]; visible: string[]; onChange: (v: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onClick = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClick);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClick);
    };
  }, [open]);
  return (
    <div className="columns-menu" ref={ref}>
      <Button aria-expanded={open} aria-haspopup="true" onClick={() => setOpen(!open)}>
        Columns
      </Button>
      {open && (
        <div className="menu" role="group" aria-label="Visible columns">
          {fields.map((f) => (
            <Check
              key={f.name}
              label={f.name}
              checked={visible.includes(f.name)}
              onChange={(on) => onChange(on ? fields.map((x) => x.name).filter((n) => n === f.name || visible.includes(n)) : visible.filter((n) => n !== f.name))}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/** Deletes records through /api/batch when the server allows it (one transaction), else one by one. */
async function deleteMany(collection: string, ids: string[]): Promise<void> {
  const settings = await pb.settings.getAll().catch(() => null);
  const batch = (settings as { batch?: { enabled?: boolean; maxRequests?: number } } | null)?.batch;
  if (batch?.enabled) {
    const size = Math.max(1, batch.maxRequests ?? 50);
    for (let i = 0; i < ids.length; i += size) {
      const b = pb.createBatch();
      for (const id of ids.slice(i, i + size)) b.collection(collection).delete(id);
      await b.send();
    }
    return;
  }
  for (const id of ids) await pb.collection(collection).delete(id);
}

/** `onEdit` is absent when the settings hide the schema controls. */
export default function RecordsPage({ collection, onEdit }: { collection: CollectionModel; onEdit?: () => void }) {
  const toast = useToast();
  const [filterText, setFilterText] = useState('');
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState('');
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(20);
  const [result, setResult] = useState<ListResult<RecordModel> | null>(null);
  const [listError, setListError] = useState<string>();
  const [savedColumns, setSavedColumns] = useState(() => loadColumns(collection));
  const chosen = savedColumns?.filter((n) => collection.fields.some((f) => f.name === n));
  const columns = chosen?.length ? chosen : defaultColumns(collection);
  const columnsKeyString = columns.join(',');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<RecordModel | 'new' | null>(null);
  const [confirmBulk, setConfirmBulk] = useState(false);
  const [busy, setBusy] = useState(false);
  const isView = collection.type === 'view';

  const load = useCallback(async () => {
    try {
      // Expanding the shown relations lets their cells name the related records.
      const shown = columnsKeyString.split(',');
      const expand = collection.fields.filter((f) => f.type === 'relation' && shown.includes(f.name)).map((f) => f.name).join(',');
      const r = await pb.collection(collection.name).getList(page, perPage, { filter, sort, expand: expand || undefined, requestKey: `records-${collection.id}` });
      setResult(r);
      setListError(undefined);
    } catch (err) {
      if ((err as { isAbort?: boolean }).isAbort) return;
      setListError(errorMessage(err));
      setResult(null);
    }
  }, [collection, page, perPage, filter, sort, columnsKeyString]);

  useEffect(() => {
    void load();
  }, [load]);

  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    setPage(1);
    setFilter(filterText.trim());
  };
  const saveColumns = (names: string[]) => {
    setSavedColumns(names);
    localStorage.setItem(columnsKey(collection), JSON.stringify(names));
  };
  const items = result?.items ?? [];
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));

  const cols: Column<RecordModel>[] = [
    ...(isView
      ? []
      : [
          {
            key: '_select',
            className: 'cell-check',
            header: (
              <input
                type="checkbox"
                aria-label="Select all on this page"
                checked={allSelected}
                onChange={(e) => setSelected(e.target.checked ? new Set(items.map((r) => r.id)) : new Set())}
              />
            ),
            render: (r: RecordModel) => (
              <input
                type="checkbox"
                aria-label={`Select ${r.id}`}
                checked={selected.has(r.id)}
                onChange={(e) => {
                  const next = new Set(selected);
                  if (e.target.checked) next.add(r.id);
                  else next.delete(r.id);
                  setSelected(next);
                }}
              />
            ),
          },
        ]),
    ...collection.fields
      .filter((f) => columns.includes(f.name))
      .map((f) => ({
        key: f.name,
        header: f.name,
        // The server refuses to sort by multi-valued fields.
        sortable: !['file', 'password', 'geoPoint'].includes(f.type) && !isMultiple(f),
        render: (r: RecordModel) =>
          f.name === 'id' ? (
            <button type="button" className="linklike mono" onClick={() => setOpen(r)}>
              {r.id}
            </button>
          ) : (
            fieldKind(f.type).view(r[f.name], r, f)
          ),
      })),
  ];
  // Keyboard users need a focusable way into each row even when the id column is hidden.
  if (!columns.includes('id')) {
    cols.push({
      key: '_open',
      header: <span className="sr-only">Open</span>,
      render: (r) => (
        <Button small variant="ghost" aria-label={`Open ${r.id}`} onClick={() => setOpen(r)}>
          Open
        </Button>
      ),
    });
  }

  return (
    <div>
      <div className="page-head">
        <h1>{collection.name}</h1>
        <span className="badge">{collection.type}</span>
        <span className="spacer" />
        <a className="btn" href={href('collections', collection.name, 'api')}>
          API preview
        </a>
        {onEdit && <Button onClick={onEdit}>Edit collection</Button>}
        {!isView && (
          <Button variant="primary" onClick={() => setOpen('new')}>
            New record
          </Button>
        )}
      </div>
      <div className="toolbar">
        <form className="filter" role="search" onSubmit={applyFilter}>
          <label className="sr-only" htmlFor="records-filter">
            Filter
          </label>
          <div className="row">
            <input
              id="records-filter"
              type="search"
              className="mono"
              style={{ flex: 1 }}
              placeholder='Filter, e.g. title ~ "news" && created > "2024-01-01"'
              value={filterText}
              aria-invalid={listError ? true : undefined}
              aria-describedby={listError ? 'records-filter-error' : undefined}
              onChange={(e) => setFilterText(e.target.value)}
            />
            <Button type="submit">Search</Button>
          </div>
          {listError && (
            <p className="error-text" id="records-filter-error" role="alert">
              {listError}
            </p>
          )}
        </form>
        <ColumnChooser fields={collection.fields.filter((f) => f.type !== 'password')} visible={columns} onChange={saveColumns} />
        <Button onClick={() => void load()} aria-label="Reload records">
          ↻
        </Button>
      </div>
      {selected.size > 0 && (
        <div className="panel panel-pad row" style={{ marginBottom: 10 }}>
          <span>{selected.size} selected</span>
          <Button small onClick={() => setSelected(new Set())}>
            Clear
          </Button>
          <Button small variant="danger" onClick={() => setConfirmBulk(true)}>
            Delete selected
          </Button>
        </div>
      )}
      <Table
        caption={`Records of ${collection.name}`}
        columns={cols}
        rows={items}
        rowKey={(r) => r.id}
        sort={sort}
        onSort={(s) => {
          setSort(s);
          setPage(1);
        }}
        onRowClick={(r) => setOpen(r)}
        isSelected={(r) => selected.has(r.id)}
        empty={result ? (filter ? 'No records match the filter.' : 'No records yet.') : listError ? 'Could not load records.' : 'Loading…'}
      />
      <div className="pager">
        <span className="muted">
          {result ? `${result.totalItems} record${result.totalItems === 1 ? '' : 's'} · page ${result.page} of ${Math.max(1, result.totalPages)}` : ''}
        </span>
        <span className="spacer" />
        <label className="check">
          Per page
          <select style={{ width: 'auto' }} value={perPage} onChange={(e) => { setPerPage(Number(e.target.value)); setPage(1); }}>
            {PER_PAGE_OPTIONS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </Button>
        <Button small disabled={!result || page >= result.totalPages} onClick={() => setPage(page + 1)}>
          Next
        </Button>
      </div>
      {open && (
        <RecordForm
          collection={collection}
          record={open === 'new' ? null : open}
          onClose={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            void load();
          }}
        />
      )}
      {confirmBulk && (
        <Dialog
          title={`Delete ${selected.size} record${selected.size === 1 ? '' : 's'}?`}
          onClose={() => setConfirmBulk(false)}
          footer={
            <>
              <Button onClick={() => setConfirmBulk(false)}>Cancel</Button>
              <Button
                variant="danger-solid"
                busy={busy}
                onClick={async () => {
                  setBusy(true);
                  try {
                    await deleteMany(collection.name, [...selected]);
                    toast.show(`Deleted ${selected.size} record${selected.size === 1 ? '' : 's'}.`, 'success');
                    setSelected(new Set());
                  } catch (err) {
                    toast.show(`Delete failed: ${errorMessage(err)}`, 'error');
                  } finally {
                    setBusy(false);
                    setConfirmBulk(false);
                    void load();
                  }
                }}
              >
                Delete
              </Button>
            </>
          }
        >
          <p>This deletes the selected records{collection.fields.some((f) => f.type === 'file') ? ' and their files' : ''}. It cannot be undone.</p>
        </Dialog>
      )}
    </div>
  );
}
