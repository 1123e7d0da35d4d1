import { confirmSignIn, signIn, type SignInOutput } from 'aws-amplify/auth';
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FederatedSignIn } from '../components/FederatedSignIn.tsx';
import { safeNext } from '../lib/safe-next.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { guestsAllowed, useSession } from '../session.tsx';

type Step = 'password' | 'totp' | 'totpSetup' | 'newPassword';

/** Sign-in with Amplify (SRP, its default), then whatever the pool asks next: a TOTP code or a new password. */
export function SignIn() {
  const { search } = useLocation();
  const session = useSession();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [answer, setAnswer] = useState('');
  const [step, setStep] = useState<Step>('password');
  /** When the pool requires MFA and the account has none yet: the app to add, as a QR code and as text. */
  const [setup, setSetup] = useState<{ qr: string; secret: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function follow(next: SignInOutput['nextStep']) {
    switch (next.signInStep) {
      case 'DONE':
        await session.refresh();
        navigate(safeNext(search.get('next')), { replace: true });
        return;
      case 'CONFIRM_SIGN_IN_WITH_TOTP_CODE':
        setAnswer('');
        setStep('totp');
        return;
      case 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP': {
        const uri = next.totpSetupDetails.getSetupUri('Plaza', email.trim()).toString();
        const QRCode = (await import('qrcode')).default;
        setSetup({
          qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }),
          secret: next.totpSetupDetails.sharedSecret,
        });
        setAnswer('');
        setStep('totpSetup');
        return;
      }
      case 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED':
        setAnswer('');
        setStep('newPassword');
        return;
      case 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION':
        // A passkey was asked for and the pool offers none for this account.
        throw new Error(
          'This account has no passkey yet: sign in with your password, then add one in Settings.',
        );
      case 'CONFIRM_SIGN_UP':
        navigate(`/confirm?email=${encodeURIComponent(email)}`);
        return;
      default:
        throw new Error(`This account needs a sign-in step the app does not offer (${next.signInStep}).`);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (step === 'password') await follow((await signIn({ username: email.trim(), password })).nextStep);
      else await follow((await confirmSignIn({ challengeResponse: answer.trim() })).nextStep);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  async function signInWithPasskey() {
    if (!email.trim()) {
      setError(new Error('Enter your email, then sign in with a passkey.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const options = { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } as const;
      await follow((await signIn({ username: email.trim(), options })).nextStep);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card form-card">
      <h1>Sign in</h1>
      {search.get('confirmed') && step === 'password' && (
        <p className="notice" role="status">
          Your email is confirmed. Sign in to continue.
        </p>
      )}
      <form onSubmit={submit}>
        {step === 'password' && (
          <>
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
              Password
              <input
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
          </>
        )}
        {step === 'totp' && (
          <label>
            Code from your authenticator app
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              autoFocus
              value={answer}
              onChange={(e) => setAnswer(e.target.value)}
            />
          </label>
        )}
        {step === 'totpSetup' && setup && (
          <>
            <p>This account needs two-step sign-in. Scan this code with an authenticator app:</p>
            <img
              src={setup.qr}
              width={220}
              height={220}
              alt="QR code for your authenticator app"
              className="qr"
            />
            <p className="small">
              Or enter this key by hand: <code className="secret">{setup.secret}</code>
            </p>
            <label>
              Code from the app
              <input
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
                value={answer}
                onChange={(e) => setAnswer(e.target.value)}
              />
            </label>
          </>
        )}
        {step === 'newPassword' && (
          <label>
            Choose a new password
            <input
              type="password"
              autoComplete="new-password"
              required
              autoFocus
              value={answer}
              onChange={(e) => setAnswer(e.target.value)}
            />
          </label>
        )}
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : step === 'password' ? 'Sign in' : 'Continue'}
        </button>
        {step === 'password' && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void signInWithPasskey()}
          >
            Sign in with a passkey
          </button>
        )}
      </form>
      {step === 'password' && <FederatedSignIn />}
      <p>
        New to Plaza? <Link to="/signup">Create an account</Link>
      </p>
      {guestsAllowed() && (
        <p>
          <Link to="/explore">Look around first</Link>: recent posts, without signing in.
        </p>
      )}
    </section>
  );
}
