import { useCallback, useEffect, useMemo, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import Button from '../../components/Button.tsx';
import Field, { Check, FieldMessage } from '../../components/Field.tsx';
import { useToast } from '../../components/Toast.tsx';
import { useCollections } from '../../lib/collections-context.tsx';
import { errorAt, errorMessage, fieldErrorsOf, flattenErrors, type FieldErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { href } from '../../lib/router.ts';
import { settingsPatch } from './settings-patch.ts';
import './settings.css';

/** GET /api/settings (spec §10.1; packages/server/src/core/settings/settings.ts), secrets stripped. */
interface S3Settings {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret?: string;
  forcePathStyle: boolean;
}
interface RateLimitRule {
  label: string;
  audience: string;
  duration: number;
  maxRequests: number;
}
interface Settings {
  meta: { appName: string; appURL: string; senderName: string; senderAddress: string; hideControls: boolean; accentColor: string };
  smtp: { enabled: boolean; port: number; host: string; username: string; password?: string; authMethod: string; tls: boolean; localName: string };
  s3: S3Settings;
  backups: { cron: string; cronMaxKeep: number; s3: S3Settings };
  batch: { enabled: boolean; maxRequests: number; timeout: number; maxBodySize: number };
  rateLimits: { rules: RateLimitRule[]; excludedIPs: string[]; enabled: boolean };
  trustedProxy: { headers: string[]; useLeftmostIP: boolean };
  logs: { maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean };
  superuserIPs: string[];
}

const SECTIONS = [
  ['application', 'Application'],
  ['mail', 'Mail'],
  ['storage', 'File storage'],
  ['backups', 'Backups'],
  ['rate-limits', 'Rate limits'],
  ['logs', 'Logs'],
  ['batch', 'Batch'],
  ['network', 'Proxy and IPs'],
  ['auth', 'Auth collections'],
] as const;

const EMAIL_TEMPLATES = [
  ['verification', 'Verification'],
  ['password-reset', 'Password reset'],
  ['email-change', 'Email change'],
  ['otp', 'One-time password'],
  ['login-alert', 'Login alert'],
] as const;

type Path = ReadonlyArray<string | number>;

/** A copy of `obj` with the value at `path` replaced (the draft is never mutated in place). */
function setIn<T>(obj: T, path: Path, value: unknown): T {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy as T;
}

const toList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Props Field gives its control (id, aria-invalid, aria-describedby); passed on to the <input>. */
type ControlProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

/** A list of strings edited as comma- or line-separated text; keeps the user's typing as is. */
function ListInput({ value, onChange, ...rest }: ControlProps & { value: string[]; onChange: (v: string[]) => void }) {
  const [text, setText] = useState(value.join(', '));
  return (
    <input
      {...rest}
      type="text"
      className="mono"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(toList(e.target.value));
      }}
    />
  );
}

function NumberInput({ value, onChange, ...rest }: ControlProps & { value: number; onChange: (v: number) => void }) {
  return <input {...rest} type="number" value={Number.isFinite(value) ? value : ''} onChange={(e) => onChange(e.target.value === '' ? 0 : e.target.valueAsNumber)} />;
}

function Section({ id, title, children, description }: { id: string; title: string; children: ReactNode; description?: ReactNode }) {
  return (
    <section id={`settings-${id}`} className="panel panel-pad settings-section" aria-labelledby={`settings-${id}-title`}>
      <h2 id={`settings-${id}-title`} tabIndex={-1}>
        {title}
      </h2>
      {description && <p className="muted settings-description">{description}</p>}
      <div className="stack">{children}</div>
    </section>
  );
}

function S3Fields({ value, path, errors, set }: { value: S3Settings; path: Path; errors: FieldErrors; set: (path: Path, v: unknown) => void }) {
  const err = (key: string) => errorAt(errors, ...path, key);
  return (
    <>
      <Check label="Use S3-compatible storage" checked={value.enabled} onChange={(v) => set([...path, 'enabled'], v)} />
      {value.enabled && (
        <div className="grid-2">
          <Field label="Bucket" error={err('bucket')}>
            <input type="text" value={value.bucket} onChange={(e) => set([...path, 'bucket'], e.target.value)} />
          </Field>
          <Field label="Region" error={err('region')}>
            <input type="text" value={value.region} onChange={(e) => set([...path, 'region'], e.target.value)} />
          </Field>
          <Field label="Endpoint" error={err('endpoint')} hint="e.g. https://s3.eu-central-1.amazonaws.com">
            <input type="url" value={value.endpoint} onChange={(e) => set([...path, 'endpoint'], e.target.value)} />
          </Field>
          <Field label="Access key" error={err('accessKey')}>
            <input type="text" autoComplete="off" value={value.accessKey} onChange={(e) => set([...path, 'accessKey'], e.target.value)} />
          </Field>
          <Field label="Secret" error={err('secret')} hint="Write-only: leave empty to keep the stored secret.">
            <input type="password" autoComplete="new-password" value={value.secret ?? ''} onChange={(e) => set([...path, 'secret'], e.target.value)} />
          </Field>
          <div className="field settings-check-cell">
            <Check label="Force path-style addressing" checked={value.forcePathStyle} onChange={(v) => set([...path, 'forcePathStyle'], v)} />
          </div>
        </div>
      )}
    </>
  );
}

/**
 * Application settings (spec §10.1): every section edits one draft; Save sends only what changed
 * (PATCH deep-merges), and a 400 puts each validation message under its field.
 */
export default function SettingsPage() {
  const toast = useToast();
  const { collections } = useCollections();
  const [original, setOriginal] = useState<Settings>();
  const [draft, setDraft] = useState<Settings>();
  const [loadError, setLoadError] = useState<string>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  /** A failure without field errors (network, 403…); field errors show in the summary and under fields. */
  const [saveError, setSaveError] = useState<string>();
  // Bumped on load/reset so list inputs (which keep their own text) start over from the value.
  const [generation, setGeneration] = useState(0);
  const [health, setHealth] = useState<{ realIP?: string; possibleProxyHeader?: string }>({});
  const [testEmail, setTestEmail] = useState({ to: String(pb.authStore.record?.email ?? ''), template: 'verification', collection: '_superusers' });
  const [testing, setTesting] = useState<string>();
  const [testResult, setTestResult] = useState<{ what: string; ok: boolean; message: string }>();

  const load = useCallback(async () => {
    try {
      const s = (await pb.settings.getAll({ requestKey: null })) as unknown as Settings;
      setOriginal(s);
      setDraft(structuredClone(s));
      setErrors({});
      setGeneration((g) => g + 1);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    void load();
    pb.health
      .check({ requestKey: null })
      .then((h) => setHealth(h.data ?? {}))
      .catch(() => undefined);
  }, [load]);

  const patch = useMemo(() => (original && draft ? settingsPatch(original, draft) : undefined), [original, draft]);
  const authCollections = collections.filter((c) => c.type === 'auth');

  if (loadError) {
    return (
      <div className="stack">
        <h1>Settings</h1>
        <p className="error-text" role="alert">
          {loadError}
        </p>
      </div>
    );
  }
  if (!draft || !original) return <p className="muted">Loading…</p>;

  const set = (path: Path, value: unknown) => setDraft((d) => (d ? setIn(d, path, value) : d));
  const err = (...path: Path) => errorAt(errors, ...path);

  const save = async () => {
    if (!patch) return;
    setSaving(true);
    try {
      const saved = (await pb.settings.update(patch, { requestKey: null })) as unknown as Settings;
      setOriginal(saved);
      setDraft(structuredClone(saved));
      setErrors({});
      setSaveError(undefined);
      setGeneration((g) => g + 1);
      toast.show('Settings saved.', 'success');
    } catch (e) {
      const fields = fieldErrorsOf(e);
      setErrors(fields);
      setSaveError(Object.keys(fields).length ? undefined : errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const runTest = async (what: string, action: () => Promise<unknown>, success: string) => {
    setTesting(what);
    setTestResult(undefined);
    try {
      await action();
      setTestResult({ what, ok: true, message: success });
    } catch (e) {
      setTestResult({ what, ok: false, message: [errorMessage(e), ...flattenErrors(fieldErrorsOf(e))].join(' ') });
    } finally {
      setTesting(undefined);
    }
  };
  const resultOf = (what: string) =>
    testResult?.what === what ? (
      <p className={testResult.ok ? 'success-text' : 'error-text'} role={testResult.ok ? 'status' : 'alert'}>
        {testResult.message}
      </p>
    ) : null;

  const rules = draft.rateLimits.rules;
  const ruleErr = (i: number, key: string) => err('rateLimits', 'rules', i, key);
  const unsaved = patch !== undefined;
  const allErrors = flattenErrors(errors);

  return (
    <div className="settings-page">
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <div className="settings-layout">
        <nav className="settings-nav" aria-label="Settings sections">
          <ul className="plain-list">
            {SECTIONS.map(([id, title]) => (
              <li key={id}>
                <a
                  className="nav-link"
                  href={`#settings-${id}`}
                  onClick={(e) => {
                    // Hash routing owns location.hash, so in-page jumps scroll instead of navigating.
                    e.preventDefault();
                    document.getElementById(`settings-${id}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
                    document.getElementById(`settings-${id}-title`)?.focus();
                  }}
                >
                  {title}
                </a>
              </li>
            ))}
          </ul>
        </nav>

        <form
          className="settings-form stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {/* At the top, sticky: toasts live in the bottom corner and would cover it there. */}
          <div className="settings-savebar" role="region" aria-label="Save settings">
            <span className="muted">{unsaved ? 'You have unsaved changes.' : 'All changes saved.'}</span>
            <span className="spacer" />
            <Button
              disabled={!unsaved || saving}
              onClick={() => {
                setDraft(structuredClone(original));
                setErrors({});
                setSaveError(undefined);
                setGeneration((g) => g + 1);
              }}
            >
              Discard
            </Button>
            <Button type="submit" variant="primary" busy={saving} disabled={!unsaved}>
              Save changes
            </Button>
          </div>
          {/* The form is long: list every message at the top too, so none goes unseen below the fold. */}
          {(allErrors.length > 0 || saveError) && (
            <div className="panel panel-pad settings-errors" role="alert">
              <strong>The settings were not saved{saveError ? `: ${saveError}` : ':'}</strong>
              <ul>
                {allErrors.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            </div>
          )}

          <Section id="application" title="Application">
            <div className="grid-2">
              <Field label="Application name" error={err('meta', 'appName')}>
                <input type="text" value={draft.meta.appName} onChange={(e) => set(['meta', 'appName'], e.target.value)} />
              </Field>
              <Field label="Application URL" error={err('meta', 'appURL')} hint="Used in email links.">
                <input type="url" value={draft.meta.appURL} onChange={(e) => set(['meta', 'appURL'], e.target.value)} />
              </Field>
              <Field label="Accent colour" error={err('meta', 'accentColor')} hint="#rrggbb, or empty for the default.">
                <input type="text" className="mono" value={draft.meta.accentColor} onChange={(e) => set(['meta', 'accentColor'], e.target.value)} />
              </Field>
            </div>
            <Check label="Hide collection create and edit controls (protects a production schema)" checked={draft.meta.hideControls} onChange={(v) => set(['meta', 'hideControls'], v)} />
          </Section>

          <Section id="mail" title="Mail" description="Sender and SMTP server for verification, password reset, email change, OTP and login alert emails.">
            <div className="grid-2">
              <Field label="Sender name" error={err('meta', 'senderName')}>
                <input type="text" value={draft.meta.senderName} onChange={(e) => set(['meta', 'senderName'], e.target.value)} />
              </Field>
              <Field label="Sender address" error={err('meta', 'senderAddress')}>
                <input type="email" value={draft.meta.senderAddress} onChange={(e) => set(['meta', 'senderAddress'], e.target.value)} />
              </Field>
            </div>
            <Check label="Use an SMTP server" checked={draft.smtp.enabled} onChange={(v) => set(['smtp', 'enabled'], v)} />
            {draft.smtp.enabled && (
              <div className="grid-2">
                <Field label="SMTP host" error={err('smtp', 'host')}>
                  <input type="text" value={draft.smtp.host} onChange={(e) => set(['smtp', 'host'], e.target.value)} />
                </Field>
                <Field label="Port" error={err('smtp', 'port')}>
                  <NumberInput value={draft.smtp.port} min={1} onChange={(v) => set(['smtp', 'port'], v)} />
                </Field>
                <Field label="Username" error={err('smtp', 'username')}>
                  <input type="text" autoComplete="off" value={draft.smtp.username} onChange={(e) => set(['smtp', 'username'], e.target.value)} />
                </Field>
                <Field label="Password" error={err('smtp', 'password')} hint="Write-only: leave empty to keep the stored password.">
                  <input type="password" autoComplete="new-password" value={draft.smtp.password ?? ''} onChange={(e) => set(['smtp', 'password'], e.target.value)} />
                </Field>
                <Field label="Auth method" error={err('smtp', 'authMethod')}>
                  <select value={draft.smtp.authMethod} onChange={(e) => set(['smtp', 'authMethod'], e.target.value)}>
                    <option value="">Default (PLAIN when offered)</option>
                    <option value="PLAIN">PLAIN</option>
                    <option value="LOGIN">LOGIN</option>
                  </select>
                </Field>
                <Field label="Local name (EHLO)" error={err('smtp', 'localName')} hint="Optional.">
                  <input type="text" value={draft.smtp.localName} onChange={(e) => set(['smtp', 'localName'], e.target.value)} />
                </Field>
                <div className="field settings-check-cell">
                  <Check label="Implicit TLS (usually port 465)" checked={draft.smtp.tls} onChange={(v) => set(['smtp', 'tls'], v)} />
                </div>
              </div>
            )}
            <fieldset className="settings-test">
              <legend>Send a test email</legend>
              <div className="grid-2">
                <Field label="To">
                  <input type="email" value={testEmail.to} onChange={(e) => setTestEmail({ ...testEmail, to: e.target.value })} />
                </Field>
                <Field label="Template">
                  <select value={testEmail.template} onChange={(e) => setTestEmail({ ...testEmail, template: e.target.value })}>
                    {EMAIL_TEMPLATES.map(([v, label]) => (
                      <option key={v} value={v}>
                        {label}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Auth collection (its template)">
                  <select value={testEmail.collection} onChange={(e) => setTestEmail({ ...testEmail, collection: e.target.value })}>
                    {(authCollections.length ? authCollections.map((c) => c.name) : ['_superusers']).map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </Field>
              </div>
              <div className="row">
                <Button
                  busy={testing === 'email'}
                  disabled={!testEmail.to}
                  onClick={() => void runTest('email', () => pb.settings.testEmail(testEmail.collection, testEmail.to, testEmail.template, { requestKey: null }), `Test email sent to ${testEmail.to}.`)}
                >
                  Send test email
                </Button>
                {unsaved && <span className="muted">Uses the saved settings: save first to test your changes.</span>}
              </div>
              {resultOf('email')}
            </fieldset>
          </Section>

          <Section id="storage" title="File storage" description="Uploaded files are kept in the data folder unless S3 is enabled.">
            <S3Fields value={draft.s3} path={['s3']} errors={errors} set={set} />
            {draft.s3.enabled && (
              <div className="row">
                <Button busy={testing === 's3'} onClick={() => void runTest('s3', () => pb.settings.testS3('storage', { requestKey: null }), 'Connected to the S3 bucket.')}>
                  Test connection
                </Button>
                {unsaved && <span className="muted">Uses the saved settings: save first to test your changes.</span>}
              </div>
            )}
            {resultOf('s3')}
          </Section>

          <Section id="backups" title="Backups">
            <div className="grid-2">
              <Field label="Automatic backups (cron)" error={err('backups', 'cron')} hint='Five fields, UTC, e.g. "0 3 * * *" (daily at 03:00); empty disables.'>
                <input type="text" className="mono" value={draft.backups.cron} onChange={(e) => set(['backups', 'cron'], e.target.value)} />
              </Field>
              <Field label="Automatic backups to keep" error={err('backups', 'cronMaxKeep')}>
                <NumberInput value={draft.backups.cronMaxKeep} min={1} onChange={(v) => set(['backups', 'cronMaxKeep'], v)} />
              </Field>
            </div>
            <S3Fields value={draft.backups.s3} path={['backups', 's3']} errors={errors} set={set} />
            {draft.backups.s3.enabled && (
              <div className="row">
                <Button busy={testing === 'backups'} onClick={() => void runTest('backups', () => pb.settings.testS3('backups', { requestKey: null }), 'Connected to the backups bucket.')}>
                  Test connection
                </Button>
              </div>
            )}
            {resultOf('backups')}
          </Section>

          <Section
            id="rate-limits"
            title="Rate limits"
            description={
              <>
                Fixed windows per client IP. Labels: <code>collection:tag</code> or <code>*:tag</code> (list, view, create, update, delete, auth…), an exact path
                (<code>/api/batch</code>, <code>POST /api/x</code>) or a prefix ending in <code>/</code>. Superusers are never limited.
              </>
            }
          >
            <Check label="Enable rate limiting" checked={draft.rateLimits.enabled} onChange={(v) => set(['rateLimits', 'enabled'], v)} />
            <div className="table-wrap">
              <table className="table settings-rules">
                <caption className="sr-only">Rate limit rules</caption>
                <thead>
                  <tr>
                    <th scope="col">Label</th>
                    <th scope="col">Max requests</th>
                    <th scope="col">Per seconds</th>
                    <th scope="col">Audience</th>
                    <th scope="col">
                      <span className="sr-only">Remove</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rules.map((r, i) => (
                    <tr key={i}>
                      <td>
                        <input type="text" className="mono" aria-label={`Rule ${i + 1} label`} aria-invalid={ruleErr(i, 'label') ? true : undefined} value={r.label} onChange={(e) => set(['rateLimits', 'rules', i, 'label'], e.target.value)} />
                        <FieldMessage error={ruleErr(i, 'label')} />
                      </td>
                      <td>
                        <input type="number" min={1} aria-label={`Rule ${i + 1} max requests`} aria-invalid={ruleErr(i, 'maxRequests') ? true : undefined} value={r.maxRequests} onChange={(e) => set(['rateLimits', 'rules', i, 'maxRequests'], e.target.valueAsNumber || 0)} />
                        <FieldMessage error={ruleErr(i, 'maxRequests')} />
                      </td>
                      <td>
                        <input type="number" min={1} aria-label={`Rule ${i + 1} duration in seconds`} aria-invalid={ruleErr(i, 'duration') ? true : undefined} value={r.duration} onChange={(e) => set(['rateLimits', 'rules', i, 'duration'], e.target.valueAsNumber || 0)} />
                        <FieldMessage error={ruleErr(i, 'duration')} />
                      </td>
                      <td>
                        <select aria-label={`Rule ${i + 1} audience`} value={r.audience} onChange={(e) => set(['rateLimits', 'rules', i, 'audience'], e.target.value)}>
                          <option value="">Everyone</option>
                          <option value="@guest">Guests</option>
                          <option value="@auth">Signed-in</option>
                        </select>
                        <FieldMessage error={ruleErr(i, 'audience')} />
                      </td>
                      <td>
                        <Button small variant="danger" aria-label={`Remove rule ${i + 1}`} onClick={() => set(['rateLimits', 'rules'], rules.filter((_, j) => j !== i))}>
                          ✕
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <FieldMessage error={err('rateLimits', 'rules')} />
            <div className="row">
              <Button small onClick={() => set(['rateLimits', 'rules'], [...rules, { label: '', audience: '', duration: 10, maxRequests: 100 }])}>
                + Add rule
              </Button>
            </div>
            <Field label="Excluded IPs" error={err('rateLimits', 'excludedIPs')} hint="Comma-separated IPs or CIDR ranges that are never limited.">
              <ListInput key={`ex-${generation}`} value={draft.rateLimits.excludedIPs} onChange={(v) => set(['rateLimits', 'excludedIPs'], v)} placeholder="10.0.0.0/8, 192.168.1.7" />
            </Field>
          </Section>

          <Section id="logs" title="Logs" description={<>Request log retention. Browse it on the <a href={href('logs')}>Logs</a> page.</>}>
            <div className="grid-2">
              <Field label="Keep logs for (days)" error={err('logs', 'maxDays')} hint="0 turns request logging off.">
                <NumberInput value={draft.logs.maxDays} min={0} onChange={(v) => set(['logs', 'maxDays'], v)} />
              </Field>
              <Field label="Minimum level" error={err('logs', 'minLevel')}>
                <select value={draft.logs.minLevel} onChange={(e) => set(['logs', 'minLevel'], Number(e.target.value))}>
                  <option value={-4}>Debug (-4)</option>
                  <option value={0}>Info (0): every request</option>
                  <option value={4}>Warn (4)</option>
                  <option value={8}>Error (8): failed requests only</option>
                </select>
              </Field>
            </div>
            <Check label="Log the client IP" checked={draft.logs.logIP} onChange={(v) => set(['logs', 'logIP'], v)} />
            <Check label="Log the id of the authenticated record" checked={draft.logs.logAuthId} onChange={(v) => set(['logs', 'logAuthId'], v)} />
          </Section>

          <Section id="batch" title="Batch" description="POST /api/batch: several writes in one transaction.">
            <Check label="Enable batch requests" checked={draft.batch.enabled} onChange={(v) => set(['batch', 'enabled'], v)} />
            <div className="grid-2">
              <Field label="Max sub-requests" error={err('batch', 'maxRequests')}>
                <NumberInput value={draft.batch.maxRequests} min={1} onChange={(v) => set(['batch', 'maxRequests'], v)} />
              </Field>
              <Field label="Timeout (seconds)" error={err('batch', 'timeout')}>
                <NumberInput value={draft.batch.timeout} min={1} onChange={(v) => set(['batch', 'timeout'], v)} />
              </Field>
              <Field label="Max body size (bytes)" error={err('batch', 'maxBodySize')} hint="0 = the default 128 MiB.">
                <NumberInput value={draft.batch.maxBodySize} min={0} onChange={(v) => set(['batch', 'maxBodySize'], v)} />
              </Field>
            </div>
          </Section>

          <Section
            id="network"
            title="Proxy and IPs"
            description={
              <>
                Your IP as the server sees it: <code>{health.realIP || 'unknown'}</code>
                {health.possibleProxyHeader ? (
                  <>
                    {' '}
                    (the request also carried <code>{health.possibleProxyHeader}</code>: if a proxy sets it, trust that header below)
                  </>
                ) : null}
                .
              </>
            }
          >
            <Field label="Trusted proxy headers" error={err('trustedProxy', 'headers')} hint="Headers the client IP is read from, e.g. X-Forwarded-For, CF-Connecting-IP. Empty: the socket address.">
              <ListInput key={`tp-${generation}`} value={draft.trustedProxy.headers} onChange={(v) => set(['trustedProxy', 'headers'], v)} />
            </Field>
            <Check label="Use the left-most IP of the header (instead of the right-most)" checked={draft.trustedProxy.useLeftmostIP} onChange={(v) => set(['trustedProxy', 'useLeftmostIP'], v)} />
            <Field label="Superuser IPs" error={err('superuserIPs')} hint="Comma-separated IPs or CIDR ranges superusers may sign in from. Empty: anywhere. Include your own IP!">
              <ListInput key={`su-${generation}`} value={draft.superuserIPs} onChange={(v) => set(['superuserIPs'], v)} />
            </Field>
          </Section>

          <Section id="auth" title="Auth collections" description="Token durations, OAuth2 providers, MFA and email templates are options of each auth collection.">
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Auth collections</caption>
                <thead>
                  <tr>
                    <th scope="col">Collection</th>
                    <th scope="col">Auth token</th>
                    <th scope="col">OAuth2</th>
                    <th scope="col">OTP / MFA</th>
                  </tr>
                </thead>
                <tbody>
                  {authCollections.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <a href={href('collections', c.name)}>{c.name}</a>
                      </td>
                      <td>{c.authToken?.duration ? `${Math.round(c.authToken.duration / 3600)} h` : '—'}</td>
                      <td>{c.oauth2?.enabled ? (c.oauth2.providers ?? []).map((p: { name: string }) => p.name).join(', ') || 'on, no providers' : 'off'}</td>
                      <td>
                        {c.otp?.enabled ? 'OTP' : '—'} / {c.mfa?.enabled ? 'MFA' : '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>

        </form>
      </div>
    </div>
  );
}
