import { useCallback, useEffect, useState } from 'react';
import { ClientResponseError } from 'pocketbase';
import Button from '../../components/Button.tsx';
import Table, { type Column } from '../../components/Table.tsx';
import { useToast } from '../../components/Toast.tsx';
import { errorMessage } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';

type CronJob = Awaited<ReturnType<typeof pb.crons.getFullList>>[number];

/**
 * The scheduled jobs (GET /api/crons, docs/crons.md) with a button that starts one now
 * (POST /api/crons/{id}). The server answers before the job ends, so the notice says "started".
 */
export default function CronsPage() {
  const toast = useToast();
  const [jobs, setJobs] = useState<CronJob[]>();
  const [problem, setProblem] = useState<string>();
  const [starting, setStarting] = useState<string>();

  const load = useCallback(async () => {
    try {
      setJobs(await pb.crons.getFullList({ requestKey: 'crons-list' }));
      setProblem(undefined);
    } catch (err) {
      // A newer load replaced this one (same request key): its answer is the one to show.
      if (err instanceof ClientResponseError && err.isAbort) return;
      setProblem(errorMessage(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const run = async (id: string) => {
    setStarting(id);
    try {
      await pb.crons.run(id, { requestKey: null });
      toast.show(`Started ${id}.`, 'success');
    } catch (err) {
      toast.show(`${id}: ${errorMessage(err)}`, 'error');
      // A 404 means the job is gone (e.g. backups.cron was cleared meanwhile).
      await load();
    } finally {
      setStarting(undefined);
    }
  };

  const columns: Column<CronJob>[] = [
    { key: 'id', header: 'Job', render: (j) => <code>{j.id}</code> },
    { key: 'expression', header: 'Schedule (UTC)', render: (j) => <code>{j.expression}</code> },
    {
      key: 'run',
      header: <span className="sr-only">Actions</span>,
      render: (j) => (
        <Button small busy={starting === j.id} aria-label={`Run ${j.id}`} onClick={() => void run(j.id)}>
          Run now
        </Button>
      ),
    },
  ];

  return (
    <div className="stack">
      <div className="page-head">
        <h1>Crons</h1>
        <span className="spacer" />
        <Button onClick={() => void load()}>Refresh</Button>
      </div>
      <p className="muted">
        Jobs the server runs on a schedule while <code>basalt serve</code> is up. Automatic backups appear here while a backup schedule is set in the
        settings.
      </p>
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
      {jobs ? <Table caption="Scheduled jobs" columns={columns} rows={jobs} rowKey={(j) => j.id} empty="No scheduled jobs." /> : !problem && <p className="muted">Loading…</p>}
    </div>
  );
}
