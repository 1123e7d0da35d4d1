import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { confirmedUser, passkeyUser, testOrigin } from '../../../test/support/passkeys.ts';
import { softwareAuthenticator } from '../../../test/support/software-authenticator.ts';
import { completeWebAuthnRegistration } from './complete-webauthn-registration.ts';
import { listWebAuthnCredentials } from './list-webauthn-credentials.ts';
import { startWebAuthnRegistration } from './start-webauthn-registration.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function started(accessToken: string) {
  const { CredentialCreationOptions } = await startWebAuthnRegistration(
    { AccessToken: accessToken },
    pool.verifier,
    pool.services,
  );
  return CredentialCreationOptions;
}

const complete = (AccessToken: string, Credential: object) =>
  completeWebAuthnRegistration({ AccessToken, Credential }, pool.verifier, pool.services);

describe('completeWebAuthnRegistration', () => {
  it('keeps the passkey, which ListWebAuthnCredentials then lists', async () => {
    pool = await testPool();
    const { accessToken, authenticator } = await passkeyUser(pool, 'ada@example.com');
    const { Credentials } = await listWebAuthnCredentials(
      { AccessToken: accessToken },
      pool.verifier,
      pool.services,
    );
    expect(Credentials).toEqual([
      {
        CredentialId: authenticator.credentialId,
        FriendlyCredentialName: 'Passkey',
        RelyingPartyId: 'localhost',
        AuthenticatorAttachment: 'platform',
        AuthenticatorTransports: ['internal'],
        CreatedAt: pool.clock.now() / 1000,
      },
    ]);
    // The next registration excludes it, so the same authenticator is not registered twice.
    expect((await started(accessToken)).excludeCredentials).toEqual([
      { id: authenticator.credentialId, type: 'public-key', transports: ['internal'] },
    ]);
  });

  it('uses a challenge once, for five minutes', async () => {
    pool = await testPool();
    const { accessToken } = await confirmedUser(pool, 'ada@example.com');
    const options = await started(accessToken);
    const credential = softwareAuthenticator().register(options, testOrigin);
    await complete(accessToken, credential);
    await failsWith(complete(accessToken, credential), 'WebAuthnChallengeNotFoundException');
    const later = await started(accessToken);
    pool.clock.advance(5 * 60 * 1000);
    await failsWith(
      complete(accessToken, softwareAuthenticator().register(later, testOrigin)),
      'WebAuthnChallengeNotFoundException',
    );
    // A registration that answers another challenge finds none of its own.
    await started(accessToken);
    await failsWith(
      complete(accessToken, softwareAuthenticator().register({ ...later, challenge: 'b3RoZXI' }, testOrigin)),
      'WebAuthnChallengeNotFoundException',
    );
  });

  it("refuses another site's origin and another relying party", async () => {
    pool = await testPool();
    const { accessToken } = await confirmedUser(pool, 'ada@example.com');
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'file://localhost']) {
      const credential = softwareAuthenticator().register(await started(accessToken), origin);
      await failsWith(complete(accessToken, credential), 'WebAuthnOriginNotAllowedException');
    }
    const options = await started(accessToken);
    const credential = softwareAuthenticator().register(
      { ...options, rp: { id: 'example.com' } },
      testOrigin,
    );
    await failsWith(complete(accessToken, credential), 'WebAuthnRelyingPartyMismatchException');
    const { Credentials } = await listWebAuthnCredentials(
      { AccessToken: accessToken },
      pool.verifier,
      pool.services,
    );
    expect(Credentials).toEqual([]);
  });

  it('refuses what is not a registration response, and a token that is not an access token', async () => {
    pool = await testPool();
    const { accessToken } = await confirmedUser(pool, 'ada@example.com');
    await started(accessToken);
    await failsWith(complete(accessToken, { id: 'x' }), 'InvalidParameterException');
    await failsWith(complete('not a token', {}), 'NotAuthorizedException');
  });
});
