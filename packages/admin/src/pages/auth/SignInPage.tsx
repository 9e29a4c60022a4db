import { useState, type FormEvent } from 'react';
import { ClientResponseError } from 'pocketbase';
import Button from '../../components/Button.tsx';
import Field from '../../components/Field.tsx';
import { errorMessage, errorAt, fieldErrorsOf, type FieldErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import AuthCard from './AuthCard.tsx';

/** Superuser sign-in. When the server requires MFA (401 with an mfaId), a second step asks for an emailed one-time code. */
export default function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [mfa, setMfa] = useState<{ mfaId: string; otpId: string } | null>(null);
  const [code, setCode] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      if (mfa) {
        await pb.collection('_superusers').authWithOTP(mfa.otpId, code, { mfaId: mfa.mfaId });
      } else {
        await pb.collection('_superusers').authWithPassword(email, password);
      }
    } catch (err) {
      const mfaId = err instanceof ClientResponseError ? (err.response as { mfaId?: unknown })?.mfaId : undefined;
      if (!mfa && typeof mfaId === 'string' && mfaId) {
        try {
          const { otpId } = await pb.collection('_superusers').requestOTP(email);
          setMfa({ mfaId, otpId });
        } catch (otpErr) {
          setError(`Multi-factor sign-in needs a one-time code, but requesting it failed: ${errorMessage(otpErr)}`);
        }
      } else {
        setError(errorMessage(err));
        setErrors(fieldErrorsOf(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      <form className="stack" onSubmit={submit} noValidate>
        {mfa ? (
          <>
            <p className="muted">A one-time code was sent to {email}. Enter it to finish signing in.</p>
            <Field label="One-time code">
              <input type="text" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
            </Field>
          </>
        ) : (
          <>
            <Field label="Email" error={errorAt(errors, 'identity')}>
              <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus required />
            </Field>
            <Field label="Password" error={errorAt(errors, 'password')}>
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </Field>
          </>
        )}
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy} className="full">
          {mfa ? 'Verify' : 'Sign in'}
        </Button>
      </form>
    </AuthCard>
  );
}
