import {
  fetchMFAPreference,
  fetchUserAttributes,
  setUpTOTP,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import QRCode from 'qrcode';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { HiddenPeople } from '../components/HiddenPeople.tsx';
import { Passkeys } from '../components/Passkeys.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

type Totp =
  { state: 'loading' } | { state: 'off' } | { state: 'setup'; secret: string; qr: string } | { state: 'on' };

function TwoFactor({ email }: { email: string | undefined }) {
  const [totp, setTotp] = useState<Totp>({ state: 'loading' });
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    fetchMFAPreference().then(
      (preference) => setTotp({ state: preference.enabled?.includes('TOTP') ? 'on' : 'off' }),
      setError,
    );
  }, []);
  useEffect(load, [load]);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      const details = await setUpTOTP();
      const uri = details.getSetupUri('Plaza', email).toString();
      const qr = await QRCode.toDataURL(uri, { margin: 1, width: 220 });
      setCode('');
      setTotp({ state: 'setup', secret: details.sharedSecret, qr });
    });

  const verify = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await verifyTOTPSetup({ code: code.trim() });
      await updateMFAPreference({ totp: 'PREFERRED' });
      setTotp({ state: 'on' });
    });
  };

  const turnOff = () =>
    run(async () => {
      await updateMFAPreference({ totp: 'DISABLED' });
      setTotp({ state: 'off' });
    });

  return (
    <section className="card" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Two-step sign-in</h2>
      {totp.state === 'loading' && <p className="muted">Checking…</p>}
      {totp.state === 'off' && (
        <>
          <p>Ask for a code from an authenticator app at every sign-in.</p>
          <button type="button" onClick={start} disabled={busy}>
            Set up an authenticator app
          </button>
        </>
      )}
      {totp.state === 'setup' && (
        <form onSubmit={verify}>
          <p>Scan this code with your authenticator app, then enter the 6-digit code it shows.</p>
          <img
            src={totp.qr}
            width={220}
            height={220}
            alt="QR code for your authenticator app"
            className="qr"
          />
          <p className="small">
            Or enter this key by hand: <code className="secret">{totp.secret}</code>
          </p>
          <label>
            Code from the app
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
          <button type="submit" disabled={busy}>
            Turn on
          </button>
        </form>
      )}
      {totp.state === 'on' && (
        <>
          <p role="status">
            Two-step sign-in is on: you will be asked for a code from your authenticator app.
          </p>
          <button type="button" className="secondary" onClick={turnOff} disabled={busy}>
            Turn off
          </button>
        </>
      )}
      <ErrorNote error={error} onRetry={totp.state === 'loading' ? load : undefined} />
    </section>
  );
}

export function Settings() {
  const session = useSession();
  const [email, setEmail] = useState<string>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    fetchUserAttributes().then((attributes) => setEmail(attributes.email), setError);
  }, []);

  const signOut = (everywhere: boolean) =>
    session.signOut({ everywhere }).then(() => navigate('/signin', { replace: true }), setError);

  return (
    <section className="settings">
      <h1>Settings</h1>
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <p>Signed in as {email ?? '…'}</p>
        <Link to="/settings/profile" className="button secondary">
          Edit profile
        </Link>
      </section>
      <TwoFactor email={email} />
      <Passkeys />
      <HiddenPeople />
      <section className="card" aria-labelledby="signout-heading">
        <h2 id="signout-heading">Sign out</h2>
        <div className="row">
          <button type="button" className="secondary" onClick={() => void signOut(false)}>
            Sign out
          </button>
          <button type="button" className="secondary danger" onClick={() => void signOut(true)}>
            Sign out everywhere
          </button>
        </div>
        <p className="muted small">Signing out everywhere ends your sessions on every device.</p>
        <ErrorNote error={error} />
      </section>
    </section>
  );
}
