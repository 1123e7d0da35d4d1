import { confirmSignUp, resendSignUpCode } from 'aws-amplify/auth';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { readMailbox } from '../lib/dev-mailbox.ts';
import { Link, navigate, useLocation } from '../router.tsx';

export function Confirm() {
  const { search } = useLocation();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [code, setCode] = useState(search.get('code') ?? '');
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [devMailbox, setDevMailbox] = useState(false);

  useEffect(() => {
    readMailbox().then(
      (messages) => setDevMailbox(messages !== undefined),
      () => setDevMailbox(false),
    );
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await confirmSignUp({ username: email.trim(), confirmationCode: code.trim() });
      navigate(`/signin?email=${encodeURIComponent(email.trim())}&confirmed=1`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  async function resend() {
    setError(undefined);
    setNotice(undefined);
    try {
      await resendSignUpCode({ username: email.trim() });
      setNotice(`A new code is on its way to ${email.trim()}.`);
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section className="card form-card">
      <h1>Confirm your email</h1>
      <p>We sent a 6-digit code to {email || 'your email'}. Enter it here.</p>
      <form onSubmit={submit}>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Confirmation code
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </label>
        <ErrorNote error={error} />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Confirming…' : 'Confirm'}
        </button>
      </form>
      <p>
        <button type="button" className="link" onClick={resend} disabled={!email}>
          Send a new code
        </button>
      </p>
      {devMailbox && (
        <p className="dev-note">
          Development server: read the code in the{' '}
          <Link to={`/mailbox${email ? `?to=${encodeURIComponent(email.trim())}` : ''}`}>dev mailbox</Link>.
        </p>
      )}
    </section>
  );
}
