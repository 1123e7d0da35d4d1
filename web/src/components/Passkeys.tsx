import {
  associateWebAuthnCredential,
  deleteWebAuthnCredential,
  listWebAuthnCredentials,
} from 'aws-amplify/auth';
import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from './ErrorNote.tsx';

type Credential = { id: string; name: string; createdAt: Date | undefined };

/** The account's passkeys (Cognito's WebAuthn operations through Amplify): add one, list them, remove one. */
export function Passkeys() {
  const [credentials, setCredentials] = useState<Credential[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    listWebAuthnCredentials().then(
      ({ credentials: found }) =>
        setCredentials(
          found.map((credential) => ({
            id: credential.credentialId ?? '',
            name: credential.friendlyCredentialName ?? 'Passkey',
            createdAt: credential.createdAt,
          })),
        ),
      setError,
    );
  }, []);
  useEffect(load, [load]);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p>Sign in with your device's screen lock or a security key instead of a password.</p>
      {credentials === undefined && !error && <p className="muted">Checking…</p>}
      {credentials?.length === 0 && <p className="muted">No passkeys yet.</p>}
      {credentials && credentials.length > 0 && (
        <ul aria-label="Your passkeys" className="passkeys">
          {credentials.map((credential) => (
            <li key={credential.id} className="row">
              <span>
                {credential.name}
                {credential.createdAt && (
                  <span className="muted small"> · added {credential.createdAt.toLocaleDateString()}</span>
                )}
              </span>
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => void run(() => deleteWebAuthnCredential({ credentialId: credential.id }))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" disabled={busy} onClick={() => void run(() => associateWebAuthnCredential())}>
        Add a passkey
      </button>
      <ErrorNote error={error} />
    </section>
  );
}
