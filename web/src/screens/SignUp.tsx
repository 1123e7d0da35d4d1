import { Amplify } from 'aws-amplify';
import { signUp } from 'aws-amplify/auth';
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Link, navigate } from '../router.tsx';

export function SignUp() {
  const minLength = Amplify.getConfig().Auth?.Cognito.passwordFormat?.minLength ?? 8;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const username = email.trim();
    try {
      const { nextStep } = await signUp({
        username,
        password,
        options: { userAttributes: { email: username } },
      });
      navigate(
        nextStep.signUpStep === 'DONE'
          ? `/signin?email=${encodeURIComponent(username)}&confirmed=1`
          : `/confirm?email=${encodeURIComponent(username)}`,
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card form-card">
      <h1>Create your account</h1>
      <form onSubmit={submit}>
        <label>
          Email
          <input
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={minLength}
            aria-describedby="password-rule"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <p id="password-rule" className="muted small">
          At least {minLength} characters.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
