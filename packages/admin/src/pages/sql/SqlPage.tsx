import { useState, type KeyboardEvent } from 'react';
import Button from '../../components/Button.tsx';
import Field from '../../components/Field.tsx';
import Table, { type Column } from '../../components/Table.tsx';
import { useCollections } from '../../lib/collections-context.tsx';
import { errorAt, errorMessage, fieldErrorsOf } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';

type SqlResult = Awaited<ReturnType<typeof pb.sql.run>>;
type Row = { index: number; values: Array<string | null> };

/** The server's row cap (docs/sql-console.md): a full page means there may be more. */
const MAX_ROWS = 1000;

/**
 * The SQL console (POST /api/sql, docs/sql-console.md): one statement, run with the button or
 * Ctrl+Enter (⌘+Enter), answered with a table of the rows a read returns or the count of rows a
 * write changed. A write may have changed collection definitions, so the sidebar reloads them.
 */
export default function SqlPage() {
  const { reload } = useCollections();
  const [query, setQuery] = useState('');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<SqlResult>();
  const [problem, setProblem] = useState<{ message: string; field?: string }>();

  const run = async () => {
    if (running || query.trim() === '') return;
    setRunning(true);
    try {
      const res = await pb.sql.run(query, { requestKey: null });
      setResult(res);
      setProblem(undefined);
      if (res.columns.length === 0) await reload();
    } catch (err) {
      setResult(undefined);
      setProblem({ message: errorMessage(err), field: errorAt(fieldErrorsOf(err), 'query') });
    } finally {
      setRunning(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  };

  const columns: Column<Row>[] = (result?.columns ?? []).map((c, i) => ({
    key: `${i}:${c.name}`,
    header: (
      <span title={`${c.type || 'no declared type'}${c.nullable ? '' : ', NOT NULL'}`}>
        {c.name} {c.type && <span className="muted">{c.type}</span>}
      </span>
    ),
    render: (row) => (row.values[i] === null ? <span className="muted">NULL</span> : <span className="cell-text">{row.values[i]}</span>),
  }));
  const rows: Row[] = (result?.rows ?? []).map((values, index) => ({ index, values }));
  const isWrite = result !== undefined && result.columns.length === 0;

  return (
    <div className="stack">
      <div className="page-head">
        <h1>SQL</h1>
      </div>
      <p className="muted">
        Runs one statement on the database. Statements that start with a write keyword (INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, TRUNCATE…) run as writes; anything else
        runs read-only and returns up to {MAX_ROWS} rows. Raw writes skip validation, rules, hooks and realtime events.
      </p>
      <Field label="Query" hint="Ctrl+Enter runs it." error={problem?.field}>
        <textarea className="mono" rows={8} spellCheck={false} value={query} onChange={(e) => setQuery(e.target.value)} onKeyDown={onKeyDown} />
      </Field>
      <div className="row">
        <Button variant="primary" busy={running} disabled={query.trim() === ''} onClick={() => void run()}>
          Run
        </Button>
      </div>
      {problem && !problem.field && (
        <p className="error-text" role="alert">
          {problem.message}
        </p>
      )}
      {result && (
        <p className="muted" role="status">
          {isWrite
            ? `${result.affectedRows} ${result.affectedRows === 1 ? 'row' : 'rows'} affected in ${result.execTime} ms.`
            : `${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'}${result.rows.length >= MAX_ROWS ? ` (the first ${MAX_ROWS})` : ''} in ${result.execTime} ms.`}
        </p>
      )}
      {result && !isWrite && <Table caption="Query result" columns={columns} rows={rows} rowKey={(r) => String(r.index)} empty="No rows." />}
    </div>
  );
}
