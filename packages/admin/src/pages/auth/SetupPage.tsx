import { useState, type FormEvent } from 'react';
import Button from '../../components/Button.tsx';
import Field from '../../components/Field.tsx';
import { errorAt, errorMessage, fieldErrorsOf, type FieldErrors } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';
import { navigate } from '../../lib/router.ts';
import AuthCard from './AuthCard.tsx';

/**
 * First run: the server prints a link with a one-time setup token, accepted as the
 * Authorization of one superuser create while no superuser exists. Then we sign in.
 */
export default function SetupPage({ token }: { token: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setErrors({});
    if (password !== confirm) {
      setErrors({ passwordConfirm: { code: 'validation_values_mismatch', message: 'The passwords do not match.' } });
      return;
    }
    setBusy(true);
    try {
      await pb.collection('_superusers').create({ email, password, passwordConfirm: confirm }, { headers: { Authorization: token } });
      await pb.collection('_superusers').authWithPassword(email, password);
      navigate('collections');
    } catch (err) {
      setError(errorMessage(err));
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Create the first superuser">
      <p className="muted">This account manages collections, records and settings. The setup link works once.</p>
      <form className="stack" onSubmit={submit} noValidate>
        <Field label="Email" error={errorAt(errors, 'email')}>
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus required />
        </Field>
        <Field label="Password" error={errorAt(errors, 'password')} hint="At least 8 characters.">
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </Field>
        <Field label="Confirm password" error={errorAt(errors, 'passwordConfirm')}>
          <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
        </Field>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          Create superuser and sign in
        </Button>
      </form>
    </AuthCard>
  );
}
