import { afterEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminSetUserMfaPreference, getUserPoolMfaConfig, setUserPoolMfaConfig } from './admin-mfa.ts';
import { mfaSettings } from './mfa-preference.ts';
import { toUserRecord, userKeys } from './model.ts';

let pool: TestPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('adminSetUserMfaPreference', () => {
  it('sets the preference of the user the request names, by sub or by email', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await pool.services.users.update({ key: userKeys.user(sub), set: { totpSecret: 'JBSWY3DPEHPK3PXP' } });
    await adminSetUserMfaPreference(
      { Username: 'ada@example.com', SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } },
      pool.services,
    );
    const { item } = await pool.services.users.get(userKeys.user(sub), { consistent: true });
    expect(mfaSettings(toUserRecord(item!))).toEqual({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
    await adminSetUserMfaPreference(
      { Username: sub, SoftwareTokenMfaSettings: { Enabled: false } },
      pool.services,
    );
    const { item: after } = await pool.services.users.get(userKeys.user(sub), { consistent: true });
    expect(mfaSettings(toUserRecord(after!))).toEqual({ UserMFASettingList: [] });
  });

  it('refuses a user who does not exist, and a method the user cannot have', async () => {
    pool = await testPool();
    await failsWith(
      adminSetUserMfaPreference(
        { Username: 'nobody@example.com', SoftwareTokenMfaSettings: { Enabled: true } },
        pool.services,
      ),
      'UserNotFoundException',
    );
    await pool.user('lin@example.com');
    // No TOTP secret was ever associated.
    await failsWith(
      adminSetUserMfaPreference(
        { Username: 'lin@example.com', SoftwareTokenMfaSettings: { Enabled: true } },
        pool.services,
      ),
      'InvalidParameterException',
    );
  });
});

describe('getUserPoolMfaConfig', () => {
  it("reports the configured MFA, SMS's message and the passkeys' relying party", async () => {
    pool = await testPool();
    expect(await getUserPoolMfaConfig(pool.services)).toEqual({
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your authentication code is {####}.' },
      WebAuthnConfiguration: {
        RelyingPartyId: 'localhost',
        UserVerification: 'preferred',
        FactorConfiguration: 'SINGLE_FACTOR',
      },
    });
  });

  it('leaves SMS out of a pool without MFA, and passkeys out of a pool that turned them off', async () => {
    pool = await testPool();
    const services = {
      ...pool.services,
      pool: { ...pool.services.pool, mfa: 'OFF' as const, webAuthn: { enabled: false } },
    };
    expect(await getUserPoolMfaConfig(services)).toEqual({
      MfaConfiguration: 'OFF',
      SoftwareTokenMfaConfiguration: { Enabled: false },
    });
  });
});

describe('setUserPoolMfaConfig', () => {
  it('keeps the SMS message and the WebAuthn settings, and answers with the configuration', async () => {
    pool = await testPool();
    const answer = await setUserPoolMfaConfig(
      {
        MfaConfiguration: 'OPTIONAL',
        SmsMfaConfiguration: { SmsAuthenticationMessage: 'Plaza code: {####}' },
        WebAuthnConfiguration: { RelyingPartyId: 'Plaza.Example', UserVerification: 'required' },
      },
      pool.services,
    );
    const expected = {
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Plaza code: {####}' },
      WebAuthnConfiguration: {
        RelyingPartyId: 'plaza.example',
        UserVerification: 'required',
        FactorConfiguration: 'SINGLE_FACTOR',
      },
    };
    expect(answer).toEqual(expected);
    expect(await getUserPoolMfaConfig(pool.services)).toEqual(expected);
  });

  it('refuses to change what plaza.config.json decides, and what the pool does not offer', async () => {
    pool = await testPool();
    const refused = [
      { MfaConfiguration: 'SOMETIMES' },
      { MfaConfiguration: 'ON' },
      { SoftwareTokenMfaConfiguration: { Enabled: false } },
      { EmailMfaConfiguration: {} },
      { SmsMfaConfiguration: { SmsAuthenticationMessage: 'no place for the code' } },
      { WebAuthnConfiguration: { RelyingPartyId: '10.0.0.1' } },
      { WebAuthnConfiguration: { FactorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION' } },
    ];
    for (const request of refused)
      await failsWith(setUserPoolMfaConfig(request, pool.services), 'InvalidParameterException');
    expect(
      await rejectionMessage(
        setUserPoolMfaConfig({ MfaConfiguration: 'ON' }, pool.services),
        'InvalidParameterException',
      ),
    ).toMatch(/userPool\.mfa in plaza\.config\.json \("OPTIONAL"\)/);
    // Nothing refused was kept.
    expect((await getUserPoolMfaConfig(pool.services)).SmsMfaConfiguration).toEqual({
      SmsAuthenticationMessage: 'Your authentication code is {####}.',
    });
  });
});
