import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { confirmedUser } from '../../../test/support/passkeys.ts';
import { setUserPoolMfaConfig } from './admin-mfa.ts';
import { startWebAuthnRegistration } from './start-webauthn-registration.ts';

let pool: TestPool;
afterEach(() => pool.close());

const start = (AccessToken: string) =>
  startWebAuthnRegistration({ AccessToken }, pool.verifier, pool.services);

describe('startWebAuthnRegistration', () => {
  it("asks for a discoverable passkey of the pool's relying party, for the token's user", async () => {
    pool = await testPool();
    const { sub, accessToken } = await confirmedUser(pool, 'ada@example.com');
    const { CredentialCreationOptions } = await start(accessToken);
    expect(CredentialCreationOptions).toMatchObject({
      rp: { id: 'localhost' },
      user: { id: Buffer.from(sub).toString('base64url'), name: 'ada@example.com' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      attestation: 'none',
      timeout: 300_000,
    });
    await failsWith(start('not a token'), 'NotAuthorizedException');
  });

  it('takes the relying party of SetUserPoolMfaConfig, and needs one when the pool is reached by address', async () => {
    pool = await testPool();
    const { accessToken } = await confirmedUser(pool, 'ada@example.com');
    pool.services.pool = { ...pool.services.pool, issuer: 'http://10.0.0.7/pool' };
    await failsWith(start(accessToken), 'WebAuthnConfigurationMissingException');
    await setUserPoolMfaConfig(
      { WebAuthnConfiguration: { RelyingPartyId: 'plaza.example', UserVerification: 'required' } },
      pool.services,
    );
    expect((await start(accessToken)).CredentialCreationOptions).toMatchObject({
      rp: { id: 'plaza.example' },
      authenticatorSelection: { userVerification: 'required' },
    });
    await failsWith(
      setUserPoolMfaConfig({ WebAuthnConfiguration: { RelyingPartyId: '10.0.0.7' } }, pool.services),
      'InvalidParameterException',
    );
    pool.services.pool = { ...pool.services.pool, webAuthn: { enabled: false } };
    await failsWith(start(accessToken), 'WebAuthnNotEnabledException');
  });
});
