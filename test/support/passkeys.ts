/** A confirmed user of a test pool with an access token, and a passkey registered through the pool's operations. */
import { completeWebAuthnRegistration } from '../../src/domain/identity/complete-webauthn-registration.ts';
import { findUserByEmail, userKeys } from '../../src/domain/identity/model.ts';
import { startWebAuthnRegistration } from '../../src/domain/identity/start-webauthn-registration.ts';
import { issueTokens } from '../../src/domain/identity/tokens.ts';
import type { TestPool } from './identity.ts';
import { softwareAuthenticator, type SoftwareAuthenticator } from './software-authenticator.ts';

/** The origin the test pool's passkeys come from (its relying party is localhost). */
export const testOrigin = 'http://localhost:4000';

export async function confirmedUser(pool: TestPool, email: string) {
  const sub = await pool.user(email);
  await pool.services.users.update({
    key: userKeys.user(sub),
    set: { status: 'CONFIRMED', attributes: { email_verified: 'true' } },
  });
  const user = (await findUserByEmail(email, pool.services))!;
  const { AccessToken } = await issueTokens(user, { withRefreshToken: false }, pool.services);
  return { sub, accessToken: AccessToken };
}

export async function registerPasskey(
  pool: TestPool,
  accessToken: string,
  authenticator: SoftwareAuthenticator = softwareAuthenticator(),
): Promise<SoftwareAuthenticator> {
  const { CredentialCreationOptions } = await startWebAuthnRegistration(
    { AccessToken: accessToken },
    pool.verifier,
    pool.services,
  );
  await completeWebAuthnRegistration(
    { AccessToken: accessToken, Credential: authenticator.register(CredentialCreationOptions, testOrigin) },
    pool.verifier,
    pool.services,
  );
  return authenticator;
}

export async function passkeyUser(pool: TestPool, email: string) {
  const user = await confirmedUser(pool, email);
  return { ...user, authenticator: await registerPasskey(pool, user.accessToken) };
}
