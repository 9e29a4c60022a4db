import { useCallback, useEffect, useState } from 'react';
import type { ListResult, LogModel } from 'pocketbase';
import Button from '../../components/Button.tsx';
import { Check } from '../../components/Field.tsx';
import Table, { type Column } from '../../components/Table.tsx';
import { formatDate } from '../../lib/datetime.ts';
import { errorMessage } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { navigate, useRoute } from '../../lib/router.ts';
import LogInspector from './LogInspector.tsx';
import { ERRORS_FILTER, NO_SUPERUSERS_FILTER, combineFilters, levelName, toBuckets, type Bucket } from './logs-query.ts';
import StatsChart from './StatsChart.tsx';
import './logs.css';

/** How often auto-refresh reloads the list and the chart. */
export const AUTO_REFRESH_MS = 5000;
const PER_PAGE_CHOICES = [20, 50, 100, 200];

interface Query {
  filter: string;
  errorsOnly: boolean;
  hideSuperusers: boolean;
  sort: string;
  page: number;
  perPage: number;
}

/** The logged URL with its query decoded, for reading; the inspector shows it as sent. */
function readableUrl(url: string): string {
  try {
    return decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return url;
  }
}

const isAbort = (err: unknown) => (err as { isAbort?: boolean })?.isAbort === true;

function StatusBadge({ status }: { status: number }) {
  const kind = status >= 400 ? 'danger' : status >= 300 ? '' : 'success';
  return <span className={`badge ${kind}`}>{status}</span>;
}

/**
 * The request log (spec §10.2): a filterable, pageable list with a requests/errors chart, and an
 * inspector per entry. Everything goes through the SDK's `pb.logs`.
 */
export default function LogsPage() {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState<Query>({ filter: '', errorsOnly: false, hideSuperusers: true, sort: '-created', page: 1, perPage: 50 });
  const [result, setResult] = useState<ListResult<LogModel>>();
  const [buckets, setBuckets] = useState<Bucket[]>([]);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [autoRefresh, setAutoRefresh] = useState(false);
  // The open entry is in the URL (#/logs/<id>): links to a failed request can be shared, and Back
  // closes the inspector. It is found by id, not index, because auto-refresh shifts the list.
  const route = useRoute();
  const openId = route[0] === 'logs' ? route[1] : undefined;
  const [fetched, setFetched] = useState<LogModel>();
  const [openError, setOpenError] = useState<string>();

  const filter = combineFilters(query.filter, query.errorsOnly && ERRORS_FILTER, query.hideSuperusers && NO_SUPERUSERS_FILTER);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      // Distinct request keys: the SDK cancels a pending request when another with the same key starts.
      const [list, totals, errors] = await Promise.all([
        pb.logs.getList(query.page, query.perPage, { filter, sort: query.sort, requestKey: 'logs-list' }),
        pb.logs.getStats({ filter, requestKey: 'logs-stats' }),
        pb.logs.getStats({ filter: combineFilters(filter, ERRORS_FILTER), requestKey: 'logs-stats-errors' }),
      ]);
      setResult(list);
      setBuckets(toBuckets(totals, errors));
      setError(undefined);
    } catch (err) {
      if (!isAbort(err)) setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [filter, query.page, query.perPage, query.sort]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = setInterval(() => {
      if (!document.hidden) void load();
    }, AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [autoRefresh, load]);

  const update = (patch: Partial<Query>) => setQuery((q) => ({ ...q, page: 1, ...patch }));
  const items = result?.items ?? [];
  const openIndex = openId ? items.findIndex((l) => l.id === openId) : -1;
  const open = openIndex >= 0 ? items[openIndex] : fetched?.id === openId ? fetched : undefined;
  const setOpen = (log?: LogModel) => (log ? navigate('logs', log.id) : navigate('logs'));

  // An entry that is not on the current page (a shared link, an older entry) is fetched by id.
  const needsFetch = !!openId && !loading && openIndex < 0 && fetched?.id !== openId;
  useEffect(() => {
    if (!needsFetch || !openId) return;
    setOpenError(undefined);
    pb.logs
      .getOne(openId, { requestKey: 'logs-one' })
      .then(setFetched)
      .catch((err: unknown) => !isAbort(err) && setOpenError(`Log entry ${openId}: ${errorMessage(err)}`));
  }, [needsFetch, openId]);

  const columns: Column<LogModel>[] = [
    {
      key: 'request',
      header: 'Request',
      render: (log) => {
        const d = log.data ?? {};
        const text = typeof d.method === 'string' ? `${d.method} ${readableUrl(String(d.url ?? ''))}` : log.message;
        return (
          <button type="button" className="linklike log-request" title={text} onClick={() => setOpen(log)}>
            {typeof d.method === 'string' && <span className="log-method">{d.method}</span>}
            <span className="cell-text">{typeof d.method === 'string' ? readableUrl(String(d.url ?? '')) : log.message}</span>
          </button>
        );
      },
    },
    {
      key: 'data.status',
      header: 'Status',
      sortable: true,
      render: (log) => (typeof log.data?.status === 'number' ? <StatusBadge status={log.data.status} /> : <span className="badge">{levelName(log.level)}</span>),
    },
    { key: 'data.execTime', header: 'Duration', sortable: true, className: 'num', render: (log) => (typeof log.data?.execTime === 'number' ? `${log.data.execTime} ms` : '') },
    { key: 'auth', header: 'Auth', render: (log) => (log.data?.type === 'request' ? log.data.auth || <span className="muted">guest</span> : '') },
    { key: 'ip', header: 'IP', className: 'hide-narrow', render: (log) => String(log.data?.userIP ?? '') },
    { key: 'created', header: 'Time', sortable: true, render: (log) => <time dateTime={log.created}>{formatDate(log.created)}</time> },
  ];

  return (
    <div className="logs-page">
      <div className="page-head">
        <h1>Logs</h1>
        <span className="spacer" />
        <Check label="Auto-refresh" checked={autoRefresh} onChange={setAutoRefresh} />
        <Button onClick={() => void load()} busy={loading}>
          Refresh
        </Button>
      </div>

      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ filter: draft });
        }}
      >
        <div className="field filter">
          <label className="sr-only" htmlFor="logs-filter">
            Filter
          </label>
          <input
            id="logs-filter"
            type="search"
            className="mono"
            placeholder='Filter, e.g. data.status >= 400 && data.url ~ "/records"'
            value={draft}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'logs-error' : undefined}
            onChange={(e) => setDraft(e.target.value)}
          />
        </div>
        <Button type="submit" variant="primary">
          Apply
        </Button>
        <div className="row logs-toggles">
          <Check label="Errors only" checked={query.errorsOnly} onChange={(v) => update({ errorsOnly: v })} />
          <Check label="Hide superuser requests" checked={query.hideSuperusers} onChange={(v) => update({ hideSuperusers: v })} />
        </div>
      </form>
      {error && (
        <p className="error-text" id="logs-error" role="alert">
          {error}
        </p>
      )}
      {openId && openError && !open && (
        <p className="error-text" role="alert">
          {openError}
        </p>
      )}

      <section className="panel panel-pad logs-chart-panel" aria-label="Requests over time">
        <StatsChart buckets={buckets} />
      </section>

      <Table
        caption="Request log"
        columns={columns}
        rows={items}
        rowKey={(log) => log.id}
        sort={query.sort}
        // Newest first is the resting state, so a third click on Time flips it rather than unsorting.
        onSort={(sort) => update({ sort: sort || (query.sort === '-created' ? 'created' : '-created') })}
        onRowClick={setOpen}
        isSelected={(log) => log.id === open?.id}
        empty={loading ? 'Loading…' : filter ? 'No log entries match this filter.' : 'No log entries yet.'}
      />

      <nav className="pager" aria-label="Pages">
        <Button small disabled={query.page <= 1} onClick={() => setQuery((q) => ({ ...q, page: q.page - 1 }))}>
          ← Previous
        </Button>
        <span className="muted">
          Page {result?.page ?? query.page} of {Math.max(1, result?.totalPages ?? 1)} · {result?.totalItems ?? 0} entries
        </span>
        <Button small disabled={!result || query.page >= result.totalPages} onClick={() => setQuery((q) => ({ ...q, page: q.page + 1 }))}>
          Next →
        </Button>
        <span className="spacer" />
        <label className="row">
          <span className="muted">Per page</span>
          <select value={query.perPage} onChange={(e) => update({ perPage: Number(e.target.value) })}>
            {PER_PAGE_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </nav>

      {open && (
        <LogInspector
          log={open}
          onClose={() => setOpen(undefined)}
          onPrev={openIndex > 0 ? () => setOpen(items[openIndex - 1]) : undefined}
          onNext={openIndex >= 0 && openIndex < items.length - 1 ? () => setOpen(items[openIndex + 1]) : undefined}
        />
      )}
    </div>
  );
}
