import { useEffect, useMemo, useState } from 'react';
import type { CollectionModel } from 'pocketbase';
import CodeBlock from '../../components/CodeBlock.tsx';
import { errorMessage } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { href } from '../../lib/router.ts';
import { buildCurl, formatHttpResponse } from '../logs/http-format.ts';
import { collectionEndpoints, describeRule, type Endpoint, type Param } from './endpoints.ts';
import type { CollectionLike } from './example-values.ts';
import TryIt from './TryIt.tsx';
import './api-preview.css';

function ParamTable({ caption, params }: { caption: string; params: Param[] }) {
  if (params.length === 0) return null;
  return (
    <div className="table-wrap api-params">
      <table className="table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {params.map((p) => (
            <tr key={p.name}>
              <td>
                <code>{p.name}</code>
                {p.required && <span className="badge danger api-required">required</span>}
              </td>
              <td>{p.type}</td>
              <td>{p.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RuleBox({ endpoint }: { endpoint: Endpoint }) {
  const { rule, access } = endpoint;
  return (
    <section className="api-rule panel panel-pad" aria-label="Access">
      <h3>Who may call it</h3>
      {rule && (
        <>
          <p>
            <code>{rule.key}</code>: {describeRule(rule.expression)}
          </p>
          {rule.expression && <CodeBlock label={`${rule.key} expression`} code={rule.expression} />}
        </>
      )}
      {access && <p>{access}</p>}
    </section>
  );
}

function EndpointDetail({ endpoint, collection }: { endpoint: Endpoint; collection: CollectionLike }) {
  const [example, setExample] = useState<'curl' | 'sdk'>('curl');
  const origin = window.location.origin;
  const curl = buildCurl({
    method: endpoint.method,
    url: `${origin}${endpoint.path}${endpoint.exampleQuery ? `?${endpoint.exampleQuery}` : ''}`,
    body: endpoint.exampleBody,
    withToken: endpoint.sendsToken,
    redact: false,
  });
  const hidden = collection.fields.filter((f) => f.hidden && f.type !== 'password' && f.name !== 'tokenKey').map((f) => f.name);
  const responsesRecords = endpoint.response.status === 200 && endpoint.group !== 'Realtime';
  return (
    <article className="stack api-endpoint" aria-labelledby="api-endpoint-title">
      <header>
        <h2 id="api-endpoint-title">{endpoint.title}</h2>
        <p className="api-signature">
          <span className={`method-badge method-${endpoint.method.toLowerCase()}`}>{endpoint.method}</span>
          <code>{endpoint.path}</code>
        </p>
        <p>{endpoint.description}</p>
      </header>
      <RuleBox endpoint={endpoint} />
      <ParamTable caption="Query parameters" params={endpoint.query} />
      <ParamTable caption="Body parameters (JSON or multipart/form-data)" params={endpoint.body} />
      {endpoint.bodyNote && <p className="muted">{endpoint.bodyNote}</p>}

      <section aria-labelledby="api-example-title">
        <h3 id="api-example-title">Example request</h3>
        <div className="tabs" role="tablist" aria-label="Example language">
          {(['curl', 'sdk'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              className="tab"
              id={`api-tab-${t}`}
              aria-selected={example === t}
              aria-controls="api-example-panel"
              tabIndex={example === t ? 0 : -1}
              onClick={() => setExample(t)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                  const next = t === 'curl' ? 'sdk' : 'curl';
                  setExample(next);
                  document.getElementById(`api-tab-${next}`)?.focus();
                }
              }}
            >
              {t === 'curl' ? 'curl' : 'JavaScript SDK'}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="api-example-panel" aria-labelledby={`api-tab-${example}`}>
          {example === 'curl' ? <CodeBlock label="curl example" code={curl} /> : <CodeBlock label="SDK example" code={endpoint.sdk} />}
          {example === 'curl' && endpoint.sendsToken && (
            <p className="muted api-note">
              <code>$BASALT_TOKEN</code> is a token from an auth endpoint (or a superuser's); unset, the request runs as a guest.
            </p>
          )}
        </div>
      </section>

      <section aria-labelledby="api-response-title">
        <h3 id="api-response-title">Example response</h3>
        <CodeBlock label="Example HTTP response" code={formatHttpResponse({ status: endpoint.response.status, body: endpoint.response.body, redact: false })} />
        {responsesRecords && hidden.length > 0 && <p className="muted api-note">Hidden fields ({hidden.join(', ')}) are returned to superusers only.</p>}
      </section>

      <section aria-labelledby="api-try-title" className="panel panel-pad">
        <h3 id="api-try-title">Try it</h3>
        <TryIt key={endpoint.id} endpoint={endpoint} />
      </section>
    </article>
  );
}

/**
 * Every endpoint of one collection, derived from its fields and rules, with examples and a
 * Try-it form. The collection is fetched fresh so rules shown are the ones in force.
 */
export default function ApiPreviewPage({ collection: name }: { collection: string }) {
  const [collection, setCollection] = useState<CollectionModel>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState('list');

  useEffect(() => {
    let live = true;
    setCollection(undefined);
    setError(undefined);
    pb.collections
      .getOne(name, { requestKey: null })
      .then((c) => live && setCollection(c))
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [name]);

  const endpoints = useMemo(() => (collection ? collectionEndpoints(collection as unknown as CollectionLike) : []), [collection]);
  const groups = useMemo(() => [...new Set(endpoints.map((e) => e.group))], [endpoints]);
  const current = endpoints.find((e) => e.id === selected) ?? endpoints[0];

  if (error) {
    return (
      <div className="stack">
        <h1>API preview</h1>
        <p className="error-text" role="alert">
          {error}
        </p>
      </div>
    );
  }
  if (!collection || !current) return <p className="muted">Loading…</p>;
  return (
    <div className="api-preview">
      <div className="page-head">
        <h1>
          API preview: <code>{collection.name}</code>
        </h1>
        <span className="badge">{collection.type}</span>
        <span className="spacer" />
        <a className="btn" href={href('collections', collection.name)}>
          ← Records
        </a>
      </div>
      <div className="api-intro stack">
        <p className="muted">
          Base URL <code>{window.location.origin}</code>. Every request and response is JSON unless noted; errors use the envelope{' '}
          <code>{'{"status", "message", "data"}'}</code>. The SDK examples assume:
        </p>
        <CodeBlock label="SDK setup" code={`import PocketBase from 'pocketbase';\n\nconst pb = new PocketBase(${JSON.stringify(window.location.origin)});`} />
      </div>
      <div className="api-layout">
        <nav className="api-nav" aria-label="Endpoints">
          {groups.map((g) => (
            <div key={g} className="nav-group">
              <h2 className="nav-group-title">{g}</h2>
              <ul className="plain-list">
                {endpoints
                  .filter((e) => e.group === g)
                  .map((e) => (
                    <li key={e.id}>
                      <button type="button" className="nav-link api-nav-link" aria-current={e.id === current.id ? 'true' : undefined} onClick={() => setSelected(e.id)}>
                        <span className={`method-badge method-${e.method.toLowerCase()}`}>{e.method}</span>
                        <span>{e.title}</span>
                      </button>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </nav>
        <EndpointDetail key={current.id} endpoint={current} collection={collection as unknown as CollectionLike} />
      </div>
    </div>
  );
}
