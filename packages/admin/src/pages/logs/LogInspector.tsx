import type { ReactNode } from 'react';
import type { LogModel } from 'pocketbase';
import CodeBlock from '../../components/CodeBlock.tsx';
import Dialog from '../../components/Dialog.tsx';
import { formatDate } from '../../lib/datetime.ts';
import { REDACTED, TOKEN_VARIABLE, formatHttpRequest, formatHttpResponse } from './http-format.ts';
import { containsRedacted, logExchange, type RequestLogData } from './log-exchange.ts';
import { levelName } from './logs-query.ts';

function Fact({ name, children }: { name: string; children: ReactNode }) {
  if (children === undefined || children === null || children === '') return null;
  return (
    <>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </>
  );
}

/**
 * One log entry opened: the request as it went over the wire, the response, a `curl` command
 * that replays it, and the raw JSON. Navigation to the neighbouring entries is by buttons so the
 * keyboard can walk the list without closing the drawer.
 */
export default function LogInspector({ log, onClose, onPrev, onNext }: { log: LogModel; onClose: () => void; onPrev?: () => void; onNext?: () => void }) {
  const data = (log.data ?? {}) as RequestLogData;
  const isRequest = data.type === 'request' || typeof data.method === 'string';
  const exchange = isRequest ? logExchange(data, window.location.origin) : undefined;
  const failed = (data.status ?? 0) >= 400;
  return (
    <Dialog
      size="drawer"
      title={isRequest ? `${data.method} ${data.status}` : levelName(log.level)}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onPrev} disabled={!onPrev}>
            ← Newer
          </button>
          <button type="button" className="btn" onClick={onNext} disabled={!onNext}>
            Older →
          </button>
          <span className="spacer" />
          <button type="button" className="btn primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <div className="stack log-inspector">
        <dl className="log-facts">
          <Fact name="Message">{log.message}</Fact>
          <Fact name="Time">{formatDate(log.created)}</Fact>
          <Fact name="Level">{levelName(log.level)}</Fact>
          {isRequest && (
            <>
              <Fact name="Status">
                <span className={`badge ${failed ? 'danger' : 'success'}`}>{data.status}</span>
              </Fact>
              <Fact name="Duration">{data.execTime === undefined ? undefined : `${data.execTime} ms`}</Fact>
              <Fact name="Auth">{data.auth ? `${data.auth}${data.authId ? ` (${data.authId})` : ''}` : 'guest'}</Fact>
              <Fact name="Client IP">{data.userIP}</Fact>
              <Fact name="Remote IP">{data.remoteIP !== data.userIP ? data.remoteIP : undefined}</Fact>
              <Fact name="User agent">{data.userAgent}</Fact>
              <Fact name="Referer">{data.referer}</Fact>
            </>
          )}
          <Fact name="Error">{data.error ? <span className="error-text">{data.error}</span> : undefined}</Fact>
        </dl>

        {exchange && (
          <>
            <section aria-labelledby="log-request-title">
              <h3 id="log-request-title">Request</h3>
              <CodeBlock label="Request as HTTP" code={formatHttpRequest(exchange.request)} />
              {!exchange.isComplete && (
                <p className="muted log-note">Headers and body are logged for failed requests only; this request is rebuilt from what was logged.</p>
              )}
            </section>
            <section aria-labelledby="log-response-title">
              <h3 id="log-response-title">Response</h3>
              <CodeBlock label="Response as HTTP" code={formatHttpResponse(exchange.response)} />
              {exchange.response.body === undefined && <p className="muted log-note">The response body is logged for failed requests only.</p>}
            </section>
            <section aria-labelledby="log-curl-title">
              <h3 id="log-curl-title">Replay with curl</h3>
              <CodeBlock label="curl command" code={exchange.curl} />
              {exchange.request.headers?.some(([n]) => /^authorization$/i.test(n)) && (
                <p className="muted log-note">
                  Set <code>{TOKEN_VARIABLE}</code> first to a token of a <strong>{data.auth || 'record'}</strong>{' '}
                  {data.auth === '_superusers' ? 'superuser' : 'record'} (the log never keeps tokens), e.g.{' '}
                  <code>export {TOKEN_VARIABLE}=eyJ…</code>.
                </p>
              )}
              {(containsRedacted(data.body) || containsRedacted(data.url)) && (
                <p className="log-note log-warning">
                  Values shown as <code>{REDACTED}</code> were secrets and are not in the log; put the real ones in before running it.
                </p>
              )}
            </section>
          </>
        )}
        <details>
          <summary>Raw JSON</summary>
          <CodeBlock label="Log entry as JSON" code={JSON.stringify(log, null, 2)} />
        </details>
      </div>
    </Dialog>
  );
}
