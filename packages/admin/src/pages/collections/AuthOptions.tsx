/**
 * The "Auth options" tab of an auth collection: sign-in methods (password, OTP, MFA, OAuth2 with
 * its providers), token durations, the new-location alert and the e-mail templates
 * (spec §5.2; docs/auth.md). Provider client secrets are write-only: the server never returns
 * them and keeps the stored one when a provider is saved without `clientSecret`.
 * @module
 */
import { useEffect, useState } from 'react';
import type { CollectionModel } from 'pocketbase';
import Button from '../../components/Button.tsx';
import CodeBlock from '../../components/CodeBlock.tsx';
import Field, { Check, FieldMessage } from '../../components/Field.tsx';
import Section from '../../components/Section.tsx';
import { errorAt, errorMessage, errorsAt, isFieldError, type FieldErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';

/** The collection keys this tab edits; a save error under one of them belongs here. */
export const AUTH_OPTION_KEYS = [
  'passwordAuth',
  'otp',
  'mfa',
  'oauth2',
  'authAlert',
  'authToken',
  'passwordResetToken',
  'emailChangeToken',
  'verificationToken',
  'fileToken',
  'verificationTemplate',
  'resetPasswordTemplate',
  'confirmEmailChangeTemplate',
] as const;

interface Provider {
  name: string;
  clientId?: string;
  clientSecret?: string;
  displayName?: string;
  pkce?: boolean | null;
  authURL?: string;
  tokenURL?: string;
  userInfoURL?: string;
  extra?: Record<string, unknown> | null;
  [key: string]: unknown;
}
interface OAuth2Options {
  enabled: boolean;
  mappedFields: Record<string, string>;
  providers: Provider[];
}
interface Template {
  subject: string;
  body: string;
}

const TOKENS: Array<[key: (typeof AUTH_OPTION_KEYS)[number], label: string]> = [
  ['authToken', 'Auth token'],
  ['passwordResetToken', 'Password reset token'],
  ['emailChangeToken', 'Email change token'],
  ['verificationToken', 'Verification token'],
  ['fileToken', 'Protected file token'],
];
const MAPPED = [
  ['id', 'Provider user id'],
  ['name', 'Profile name'],
  ['username', 'Profile username'],
  ['avatarURL', 'Profile avatar URL'],
] as const;
const OIDC = new Set(['oidc', 'oidc2', 'oidc3']);
const NO_OAUTH2: OAuth2Options = { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] };

/** Error paths an input of this tab shows; anything else is listed at the end so no message is lost. */
const SHOWN = [
  /^passwordAuth\.identityFields$/,
  /^otp\.(duration|length)$/,
  /^otp\.emailTemplate(\.(subject|body))?$/,
  /^mfa\.(enabled|duration)$/,
  /^oauth2\.providers\.\d+\.(name|clientId|clientSecret|displayName|pkce|authURL|tokenURL|userInfoURL|extra)$/,
  /^authAlert\.emailTemplate(\.(subject|body))?$/,
  /^(authToken|passwordResetToken|emailChangeToken|verificationToken|fileToken)\.duration$/,
  /^(verificationTemplate|resetPasswordTemplate|confirmEmailChangeTemplate)(\.(subject|body))?$/,
];

function leaves(errors: FieldErrors | undefined, prefix = ''): Array<[string, string]> {
  if (!errors) return [];
  return Object.entries(errors).flatMap(([k, v]) => (isFieldError(v) ? [[`${prefix}${k}`, v.message] as [string, string]] : leaves(v, `${prefix}${k}.`)));
}

/**
 * The draft as it is sent: a provider whose secret box is empty goes without `clientSecret`, so
 * the server keeps the stored secret (or, for a new provider, reports it as required).
 */
export function withoutBlankSecrets(draft: CollectionModel): CollectionModel {
  const oauth2 = draft.oauth2 as OAuth2Options | undefined;
  if (draft.type !== 'auth' || !oauth2?.providers) return draft;
  const providers = oauth2.providers.map(({ clientSecret, ...rest }) => (clientSecret ? { ...rest, clientSecret } : rest));
  return { ...draft, oauth2: { ...oauth2, providers } } as unknown as CollectionModel;
}

/** "5 days", "30 minutes": a reading aid next to a duration in seconds. */
function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '';
  const units: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const [size, unit] = units.find(([s]) => seconds % s === 0 && seconds >= s) ?? [1, 'second'];
  const n = seconds / size;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function TemplateEditor({ title, value, onChange, errors, error, placeholders }: { title: string; value: Template | undefined; onChange: (t: Template) => void; errors?: FieldErrors; error?: string; placeholders: string }) {
  const t = value ?? { subject: '', body: '' };
  const hasError = Boolean(error || (errors && Object.keys(errors).length));
  return (
    <Section title={title} forceOpen={hasError} className="template">
      <FieldMessage error={error} />
      <Field label="Subject" error={errorAt(errors, 'subject')}>
        <input type="text" value={t.subject} onChange={(e) => onChange({ ...t, subject: e.target.value })} />
      </Field>
      <Field label="Body (HTML)" error={errorAt(errors, 'body')} hint={`Placeholders: ${placeholders}, {RECORD:field}. Values are HTML-escaped.`}>
        <textarea className="mono" rows={8} spellCheck={false} value={t.body} onChange={(e) => onChange({ ...t, body: e.target.value })} />
      </Field>
    </Section>
  );
}

function ProviderCard({ provider, label, stored, errors, onChange, onRemove, autoFocus }: { provider: Provider; label: string; stored: boolean; errors?: FieldErrors; onChange: (p: Provider) => void; onRemove: () => void; autoFocus: boolean }) {
  const set = (patch: Partial<Provider>) => onChange({ ...provider, ...patch });
  const oidc = OIDC.has(provider.name);
  const extra = provider.extra ?? {};
  const setIssuer = (issuer: string) => {
    const { issuer: _old, ...others } = extra;
    const next = issuer ? { ...others, issuer } : others;
    set({ extra: Object.keys(next).length ? next : null });
  };
  const overrideErrors = ['authURL', 'tokenURL', 'userInfoURL'].some((k) => errorAt(errors, k));
  const leftovers = leaves(errors).filter(([k]) => !['clientId', 'clientSecret', 'displayName', 'pkce', 'authURL', 'tokenURL', 'userInfoURL', ...(oidc ? ['extra'] : [])].includes(k));
  return (
    <fieldset className="provider-card stack" data-provider={provider.name}>
      <legend>{label}</legend>
      <div className="row">
        <span className="type-tag">{provider.name}</span>
        <span className="spacer" />
        <Button small variant="danger" aria-label={`Remove ${label}`} onClick={onRemove}>
          Remove
        </Button>
      </div>
      <div className="grid-2">
        <Field label="Client ID" error={errorAt(errors, 'clientId')}>
          <input type="text" autoComplete="off" spellCheck={false} autoFocus={autoFocus} value={provider.clientId ?? ''} onChange={(e) => set({ clientId: e.target.value })} />
        </Field>
        <Field label="Client secret" error={errorAt(errors, 'clientSecret')} hint={stored ? 'Write-only: leave empty to keep the stored secret.' : 'Required. It is never shown again after saving.'}>
          <input type="password" autoComplete="new-password" placeholder={stored ? '•••••• (stored)' : ''} value={provider.clientSecret ?? ''} onChange={(e) => set({ clientSecret: e.target.value })} />
        </Field>
        <Field label="Display name" error={errorAt(errors, 'displayName')} hint="Optional; shown on sign-in buttons.">
          <input type="text" value={provider.displayName ?? ''} onChange={(e) => set({ displayName: e.target.value })} />
        </Field>
        <Field label="PKCE" error={errorAt(errors, 'pkce')}>
          <select value={provider.pkce === true ? 'on' : provider.pkce === false ? 'off' : 'default'} onChange={(e) => set({ pkce: e.target.value === 'on' ? true : e.target.value === 'off' ? false : null })}>
            <option value="default">Provider default</option>
            <option value="on">On</option>
            <option value="off">Off</option>
          </select>
        </Field>
      </div>
      {oidc && (
        <Field label="Issuer URL" error={errorAt(errors, 'extra')} hint="Discovery: <issuer>/.well-known/openid-configuration gives the endpoints and keys. Or leave it empty and set the endpoints below.">
          <input type="url" spellCheck={false} placeholder="https://sso.example.com/realms/staff" value={typeof extra.issuer === 'string' ? extra.issuer : ''} onChange={(e) => setIssuer(e.target.value)} />
        </Field>
      )}
      <Section title="Endpoint overrides" forceOpen={overrideErrors}>
        <p className="muted">Empty: the provider's own{oidc ? ' (or discovered)' : ''} endpoints.</p>
        {(['authURL', 'tokenURL', 'userInfoURL'] as const).map((k) => (
          <Field key={k} label={k} error={errorAt(errors, k)}>
            <input type="url" spellCheck={false} value={provider[k] ?? ''} onChange={(e) => set({ [k]: e.target.value })} />
          </Field>
        ))}
      </Section>
      {leftovers.map(([k, m]) => (
        <FieldMessage key={k} error={`${k}: ${m}`} />
      ))}
    </fieldset>
  );
}

function OAuth2Options({ oauth2, onChange, fields, storedNames, errors, onStructureChange }: { oauth2: OAuth2Options; onChange: (o: OAuth2Options) => void; fields: string[]; storedNames: Set<string>; errors?: FieldErrors; onStructureChange: () => void }) {
  const [known, setKnown] = useState<Array<{ name: string; displayName: string }>>();
  const [loadError, setLoadError] = useState<string>();
  const [pick, setPick] = useState('');
  const [added, setAdded] = useState<string>();
  useEffect(() => {
    let live = true;
    pb.collections
      .getAllOAuth2Providers({ requestKey: null })
      .then((list) => live && setKnown(list))
      .catch((err) => live && setLoadError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, []);
  const labelOf = (name: string) => `${known?.find((k) => k.name === name)?.displayName ?? name} (${name})`;
  const available = (known ?? []).filter((k) => !oauth2.providers.some((p) => p.name === k.name));
  const choice = available.some((k) => k.name === pick) ? pick : (available[0]?.name ?? '');
  const add = () => {
    if (!choice) return;
    onChange({ ...oauth2, providers: [...oauth2.providers, { name: choice, clientId: '', clientSecret: '', displayName: '', pkce: null, authURL: '', tokenURL: '', userInfoURL: '', extra: null }] });
    setAdded(choice);
  };
  const redirectURL = pb.buildURL('/api/oauth2-redirect');
  return (
    <>
      <Check label="Enabled" checked={oauth2.enabled === true} onChange={(v) => onChange({ ...oauth2, enabled: v })} />
      <FieldMessage error={errorAt(errors, 'enabled')} />
      <div className="field">
        <span className="field-label">
          Redirect URL to register at each provider
        </span>
        <CodeBlock code={redirectURL} label="Redirect URL" />
        <span className="hint">What the SDK's authWithOAuth2() popup flow uses. With your own callback page (authWithOAuth2Code), register that page instead.</span>
      </div>
      <FieldMessage error={errorAt(errors, 'providers')} />
      {oauth2.providers.length === 0 && <p className="muted">No providers yet.</p>}
      {oauth2.providers.map((p, i) => (
        <ProviderCard
          key={p.name || i}
          provider={p}
          label={labelOf(p.name)}
          stored={storedNames.has(p.name)}
          errors={errorsAt(errors, 'providers', i)}
          autoFocus={added === p.name}
          onChange={(next) => onChange({ ...oauth2, providers: oauth2.providers.map((q, j) => (j === i ? next : q)) })}
          onRemove={() => {
            onChange({ ...oauth2, providers: oauth2.providers.filter((_, j) => j !== i) });
            onStructureChange();
          }}
        />
      ))}
      {loadError ? (
        <FieldMessage error={`Could not load the provider list: ${loadError}`} />
      ) : (
        <div className="row">
          <label className="sr-only" htmlFor="oauth2-add-provider">
            Provider to add
          </label>
          <select id="oauth2-add-provider" style={{ width: 'auto' }} value={choice} disabled={!known || available.length === 0} onChange={(e) => setPick(e.target.value)}>
            {!known && <option value="">Loading…</option>}
            {available.map((k) => (
              <option key={k.name} value={k.name}>
                {k.displayName} ({k.name})
              </option>
            ))}
          </select>
          <Button onClick={add} disabled={!choice}>
            Add provider
          </Button>
        </div>
      )}
      <fieldset className="stack">
        <legend>On sign-up, copy from the provider's profile into</legend>
        <div className="grid-2">
          {MAPPED.map(([key, label]) => (
            <Field key={key} label={label} error={errorAt(errors, 'mappedFields', key)}>
              <select value={oauth2.mappedFields?.[key] ?? ''} onChange={(e) => onChange({ ...oauth2, mappedFields: { ...NO_OAUTH2.mappedFields, ...oauth2.mappedFields, [key]: e.target.value } })}>
                <option value="">(none)</option>
                {fields.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </Field>
          ))}
        </div>
      </fieldset>
    </>
  );
}

export default function AuthOptions({ draft, saved, set, errors, onStructureChange }: { draft: CollectionModel; /** The collection as last saved (its providers have stored secrets). */ saved: CollectionModel | null; set: (patch: Partial<CollectionModel>) => void; errors: FieldErrors; onStructureChange: () => void }) {
  const pa = draft.passwordAuth ?? { enabled: true, identityFields: ['email'] };
  const otp = draft.otp ?? { enabled: false, duration: 180, length: 8, emailTemplate: { subject: '', body: '' } };
  const mfa = draft.mfa ?? { enabled: false, duration: 1800, rule: '' };
  const oauth2 = (draft.oauth2 as OAuth2Options | undefined) ?? NO_OAUTH2;
  const alert = draft.authAlert ?? { enabled: false, emailTemplate: { subject: '', body: '' } };
  const storedNames = new Set(((saved?.oauth2 as OAuth2Options | undefined)?.providers ?? []).map((p) => p.name));
  const fieldNames = draft.fields.filter((f) => f.type !== 'password' && f.name !== 'tokenKey' && f.name).map((f) => f.name);
  const has = (...keys: string[]) => keys.some((k) => errors[k] !== undefined);
  const tokenDuration = (key: string) => Number((draft[key] as { duration?: number } | undefined)?.duration ?? 0);
  const template = (key: string) => draft[key] as Template | undefined;
  const others = leaves(Object.fromEntries(AUTH_OPTION_KEYS.filter((k) => errors[k]).map((k) => [k, errors[k]])) as FieldErrors).filter(([path]) => !SHOWN.some((re) => re.test(path)));

  return (
    <div className="stack">
      <Section title="Password sign-in" defaultOpen forceOpen={has('passwordAuth')}>
        <Check label="Enabled" checked={pa.enabled === true} onChange={(v) => set({ passwordAuth: { ...pa, enabled: v } })} />
        <Field label="Identity fields" hint="Comma-separated; each needs a unique index." error={errorAt(errors, 'passwordAuth', 'identityFields')}>
          <input type="text" defaultValue={(pa.identityFields ?? []).join(', ')} onBlur={(e) => set({ passwordAuth: { ...pa, identityFields: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) } })} />
        </Field>
      </Section>
      <Section title="One-time password (email)" defaultOpen forceOpen={has('otp')}>
        <Check label="Enabled" checked={otp.enabled === true} onChange={(v) => set({ otp: { ...otp, enabled: v } })} />
        <div className="grid-2">
          <Field label="Duration (seconds)" error={errorAt(errors, 'otp', 'duration')}>
            <input type="number" value={otp.duration} onChange={(e) => set({ otp: { ...otp, duration: Number(e.target.value) } })} />
          </Field>
          <Field label="Code length" error={errorAt(errors, 'otp', 'length')}>
            <input type="number" value={otp.length} onChange={(e) => set({ otp: { ...otp, length: Number(e.target.value) } })} />
          </Field>
        </div>
      </Section>
      <Section title="Multi-factor authentication" defaultOpen forceOpen={has('mfa')}>
        <Check label="Enabled (needs two sign-in methods)" checked={mfa.enabled === true} onChange={(v) => set({ mfa: { ...mfa, enabled: v } })} />
        <FieldMessage error={errorAt(errors, 'mfa', 'enabled')} />
        <Field label="Duration (seconds)" error={errorAt(errors, 'mfa', 'duration')}>
          <input type="number" value={mfa.duration} onChange={(e) => set({ mfa: { ...mfa, duration: Number(e.target.value) } })} />
        </Field>
      </Section>
      {draft.name !== '_superusers' && (
        <Section title="OAuth2" defaultOpen={oauth2.enabled || oauth2.providers.length > 0} forceOpen={has('oauth2')}>
          <OAuth2Options oauth2={oauth2} onChange={(o) => set({ oauth2: o } as Partial<CollectionModel>)} fields={fieldNames} storedNames={storedNames} errors={errorsAt(errors, 'oauth2')} onStructureChange={onStructureChange} />
        </Section>
      )}
      <Section title="Token durations" forceOpen={has(...TOKENS.map(([k]) => k))}>
        <p className="muted">In seconds. Changing a duration does not affect tokens already issued.</p>
        <div className="grid-2">
          {TOKENS.map(([key, label]) => (
            <Field key={key} label={`${label} (seconds)`} error={errorAt(errors, key, 'duration')} hint={humanDuration(tokenDuration(key))}>
              <input type="number" min={10} value={tokenDuration(key)} onChange={(e) => set({ [key]: { ...(draft[key] as object), duration: Number(e.target.value) } } as Partial<CollectionModel>)} />
            </Field>
          ))}
        </div>
      </Section>
      <Section title="New-location alert" forceOpen={has('authAlert')}>
        <Check label="Email users when they sign in from a new device or network" checked={alert.enabled === true} onChange={(v) => set({ authAlert: { ...alert, enabled: v } })} />
        <p className="muted">The first sign-in of an account never alerts. The email uses the “New-location alert email” template below.</p>
      </Section>
      <Section title="Email templates" forceOpen={has('verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate', 'authAlert') || errorsAt(errors, 'otp', 'emailTemplate') !== undefined}>
        <TemplateEditor title="Verification email" value={template('verificationTemplate')} onChange={(t) => set({ verificationTemplate: t })} errors={errorsAt(errors, 'verificationTemplate')} error={errorAt(errors, 'verificationTemplate')} placeholders="{APP_NAME}, {APP_URL}, {TOKEN}" />
        <TemplateEditor title="Password reset email" value={template('resetPasswordTemplate')} onChange={(t) => set({ resetPasswordTemplate: t })} errors={errorsAt(errors, 'resetPasswordTemplate')} error={errorAt(errors, 'resetPasswordTemplate')} placeholders="{APP_NAME}, {APP_URL}, {TOKEN}" />
        <TemplateEditor title="Email change email" value={template('confirmEmailChangeTemplate')} onChange={(t) => set({ confirmEmailChangeTemplate: t })} errors={errorsAt(errors, 'confirmEmailChangeTemplate')} error={errorAt(errors, 'confirmEmailChangeTemplate')} placeholders="{APP_NAME}, {APP_URL}, {TOKEN}" />
        <TemplateEditor title="One-time password email" value={otp.emailTemplate} onChange={(t) => set({ otp: { ...otp, emailTemplate: t } })} errors={errorsAt(errors, 'otp', 'emailTemplate')} error={errorAt(errors, 'otp', 'emailTemplate')} placeholders="{APP_NAME}, {APP_URL}, {OTP}, {OTP_ID}" />
        <TemplateEditor title="New-location alert email" value={alert.emailTemplate} onChange={(t) => set({ authAlert: { ...alert, emailTemplate: t } })} errors={errorsAt(errors, 'authAlert', 'emailTemplate')} error={errorAt(errors, 'authAlert', 'emailTemplate')} placeholders="{APP_NAME}, {APP_URL}, {ALERT_INFO}" />
      </Section>
      {others.map(([path, message]) => (
        <FieldMessage key={path} error={`${path}: ${message}`} />
      ))}
    </div>
  );
}
