import { useState } from 'react';
import { ClientResponseError } from 'pocketbase';
import Button from '../../components/Button.tsx';
import CodeBlock from '../../components/CodeBlock.tsx';
import Field, { Check } from '../../components/Field.tsx';
import { errorMessage } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { formatHttpResponse, type Header } from '../logs/http-format.ts';
import type { Endpoint } from './endpoints.ts';

/** The list's Try it starts small and unfiltered: the example filter may well match nothing. */
const TRY_LIST_QUERY = 'page=1&perPage=5';

interface Outcome {
  status: number;
  headers: Header[];
  body: unknown;
}


/**
 * Sends the endpoint's request with the signed-in superuser's token through the SDK (`pb.send`),
 * and shows the status, headers and body. The SDK's `fetch` option lets us see the Response
 * itself, which `pb.send` otherwise reduces to the decoded body.
 */
export default function TryIt({ endpoint }: { endpoint: Endpoint }) {
  const [path, setPath] = useState(endpoint.path);
  const [query, setQuery] = useState(endpoint.id === 'list' ? TRY_LIST_QUERY : '');
  const [body, setBody] = useState(endpoint.exampleBody ? JSON.stringify(endpoint.exampleBody, null, 2) : '');
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [bodyError, setBodyError] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [failure, setFailure] = useState<string>();
  const hasBody = endpoint.method !== 'GET' && endpoint.method !== 'DELETE';
  const destructive = endpoint.method === 'DELETE';

  const send = async () => {
    let parsed: unknown;
    if (hasBody && body.trim()) {
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        setBodyError(`Not valid JSON: ${(err as Error).message}`);
        return;
      }
    }
    setBodyError(undefined);
    setFailure(undefined);
    setBusy(true);
    let response: Response | undefined;
    try {
      const data: unknown = await pb.send(path, {
        method: endpoint.method,
        query: Object.fromEntries(new URLSearchParams(query)),
        body: parsed,
        requestKey: null,
        fetch: async (url, init) => (response = await fetch(url, init)),
      });
      setOutcome({ status: response?.status ?? 0, headers: [...(response?.headers ?? [])], body: response?.status === 204 ? undefined : data });
    } catch (err) {
      if (response && err instanceof ClientResponseError) {
        setOutcome({ status: response.status, headers: [...response.headers], body: err.response });
      } else {
        setOutcome(undefined);
        setFailure(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  if (endpoint.noTryIt) return <p className="muted">{endpoint.noTryIt}</p>;
  return (
    <form
      className="stack try-it"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className="try-it-line">
        <span className={`method-badge method-${endpoint.method.toLowerCase()}`}>{endpoint.method}</span>
        <Field label="Path" className="try-it-path" hint={path.includes('RECORD_ID') ? 'Replace RECORD_ID with a real id.' : undefined}>
          <input type="text" className="mono" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
        </Field>
      </div>
      <Field label="Query string" hint="e.g. filter=…&sort=-created&expand=…">
        <input type="text" className="mono" value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
      </Field>
      {hasBody && (
        <Field label="JSON body" error={bodyError}>
          <textarea className="mono" rows={Math.min(14, Math.max(4, body.split('\n').length))} value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} />
        </Field>
      )}
      {destructive && <Check label="I understand this really deletes the record." checked={confirmed} onChange={setConfirmed} />}
      <div className="row">
        <Button type="submit" variant={destructive ? 'danger-solid' : 'primary'} busy={busy} disabled={destructive && !confirmed}>
          Send as {String(pb.authStore.record?.email ?? 'superuser')}
        </Button>
      </div>
      {failure && (
        <p className="error-text" role="alert">
          {failure}
        </p>
      )}
      {outcome && (
        <div aria-live="polite">
          <h4 className="try-it-result-title">
            Response{' '}
            <span className={`badge ${outcome.status >= 400 ? 'danger' : 'success'}`}>{outcome.status}</span>
          </h4>
          <CodeBlock label="Try it response" code={formatHttpResponse({ status: outcome.status, headers: outcome.headers, body: outcome.body, redact: false })} />
        </div>
      )}
    </form>
  );
}
