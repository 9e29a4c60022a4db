import { useState } from 'react';
import type { CollectionModel } from 'pocketbase';
import Button from '../../components/Button.tsx';
import Field, { Check, FieldMessage } from '../../components/Field.tsx';
import { useToast } from '../../components/Toast.tsx';
import { useCollections } from '../../lib/collections-context.tsx';
import { errorMessage, fieldErrorsOf, flattenErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';

/** Collections JSON in PocketBase's format: export downloads every definition, import merges (PUT /api/collections/import). */
export default function ImportExportPage() {
  const toast = useToast();
  const { collections, reload } = useCollections();
  const [text, setText] = useState('');
  const [deleteMissing, setDeleteMissing] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  let parsed: CollectionModel[] | undefined;
  let parseError: string | undefined;
  if (text.trim()) {
    try {
      const v = JSON.parse(text) as unknown;
      if (Array.isArray(v)) parsed = v as CollectionModel[];
      else parseError = 'Expected a JSON array of collections.';
    } catch (err) {
      parseError = `Invalid JSON: ${(err as Error).message}`;
    }
  }
  const missing = parsed ? collections.filter((c) => !c.system && !parsed!.some((p) => p.id === c.id || p.name === c.name)) : [];

  const download = () => {
    const blob = new Blob([JSON.stringify(collections, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = 'pb_schema.json';
    a.click();
    URL.revokeObjectURL(url);
  };

  const runImport = async () => {
    if (!parsed) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await pb.collections.import(parsed, deleteMissing);
      toast.show(`Imported ${parsed.length} collection${parsed.length === 1 ? '' : 's'}.`, 'success');
      setText('');
      await reload();
    } catch (err) {
      setProblem([errorMessage(err), ...flattenErrors(fieldErrorsOf(err))].join('\n'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <div className="page-head">
        <h1>Import / export collections</h1>
      </div>
      <section className="panel panel-pad stack" aria-labelledby="export-title">
        <h2 id="export-title">Export</h2>
        <p className="muted">Every collection definition ({collections.length}) as PocketBase-compatible JSON.</p>
        <div>
          <Button onClick={download}>Download JSON</Button>
        </div>
      </section>
      <section className="panel panel-pad stack" aria-labelledby="import-title">
        <h2 id="import-title">Import</h2>
        <Field label="Load a file">
          <input type="file" accept="application/json,.json" onChange={async (e) => setText((await e.target.files?.[0]?.text()) ?? '')} />
        </Field>
        <Field label="Collections JSON" error={parseError}>
          <textarea className="mono" rows={12} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} placeholder='[{"name": "posts", "type": "base", "fields": [...]}]' />
        </Field>
        <Check label="Delete collections (and their records) that are not in the import" checked={deleteMissing} onChange={setDeleteMissing} />
        {deleteMissing && missing.length > 0 && (
          <p className="error-text">
            Will delete: {missing.map((c) => c.name).join(', ')}
          </p>
        )}
        <div>
          <Button variant={deleteMissing ? 'danger-solid' : 'primary'} disabled={!parsed} busy={busy} onClick={runImport}>
            Import {parsed ? `${parsed.length} collection${parsed.length === 1 ? '' : 's'}` : ''}
          </Button>
        </div>
        <FieldMessage error={problem} />
      </section>
    </div>
  );
}
