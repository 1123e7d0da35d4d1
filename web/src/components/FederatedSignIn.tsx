import { signInWithRedirect, type SignInWithRedirectInput } from 'aws-amplify/auth';
import { useState } from 'react';
import { identityProviders, openHostedUi } from '../amplify.ts';
import { ErrorNote } from './ErrorNote.tsx';

/** Amplify's names for Cognito's social providers, as amplify_outputs.json lists them. */
const social: Record<string, { provider: 'Google' | 'Facebook' | 'Apple' | 'Amazon'; label: string }> = {
  GOOGLE: { provider: 'Google', label: 'Google' },
  FACEBOOK: { provider: 'Facebook', label: 'Facebook' },
  SIGN_IN_WITH_APPLE: { provider: 'Apple', label: 'Apple' },
  LOGIN_WITH_AMAZON: { provider: 'Amazon', label: 'Amazon' },
};

/**
 * A button per identity provider the deployment's app client offers (none: nothing shown). Each
 * sends the browser through the hosted UI straight to that provider, as Cognito's
 * `identity_provider=<name>` does; SAML and OpenID Connect providers go by their pool names.
 */
export function FederatedSignIn() {
  const [error, setError] = useState<unknown>();
  const providers = identityProviders();
  if (providers.length === 0) return null;

  async function go(name: string) {
    setError(undefined);
    const provider: SignInWithRedirectInput['provider'] = social[name]?.provider ?? { custom: name };
    try {
      await signInWithRedirect({ provider, options: { authSessionOpener: openHostedUi } });
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <div className="federated" role="group" aria-label="Other ways to sign in">
      {providers.map((name) => (
        <button key={name} type="button" className="secondary" onClick={() => void go(name)}>
          Continue with {social[name]?.label ?? name}
        </button>
      ))}
      <ErrorNote error={error} />
    </div>
  );
}
