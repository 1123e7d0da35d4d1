import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { mfaMethod } from './complete-sign-in.ts';
import { mfaSettings, setMfaPreference } from './mfa-preference.ts';
import { toUserRecord, userKeys, type UserRecord } from './model.ts';

let pool: TestPool;
afterEach(() => pool.close());

/** A user with a confirmed TOTP secret and a verified phone number, neither turned on. */
async function userWithBoth(): Promise<UserRecord> {
  const sub = await pool.user('ada@example.com');
  const { item } = await pool.services.users.update({
    key: userKeys.user(sub),
    set: {
      totpSecret: 'JBSWY3DPEHPK3PXP',
      attributes: { phone_number: '+14325551212', phone_number_verified: 'true' },
    },
  });
  return toUserRecord(item);
}

const reread = async (user: UserRecord) =>
  toUserRecord((await pool.services.users.get(userKeys.user(user.sub), { consistent: true })).item!);

describe('setMfaPreference', () => {
  it('turns methods on and off, keeps the preferred one, and forgets it when it is turned off', async () => {
    pool = await testPool();
    let user = await userWithBoth();
    await setMfaPreference(
      user,
      { SoftwareTokenMfaSettings: { Enabled: true }, SMSMfaSettings: { Enabled: true, PreferredMfa: true } },
      pool.services,
    );
    user = await reread(user);
    expect(mfaSettings(user)).toEqual({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'],
      PreferredMfaSetting: 'SMS_MFA',
    });
    expect(mfaMethod(user, pool.services.pool)).toBe('SMS_MFA');
    await setMfaPreference(user, { SMSMfaSettings: { Enabled: false } }, pool.services);
    user = await reread(user);
    expect(user.preferredMfa).toBeUndefined();
    expect(mfaSettings(user)).toEqual({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
    expect(mfaMethod(user, pool.services.pool)).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('refuses what the user cannot have: no verified phone, no TOTP secret, email MFA, a disabled preference', async () => {
    pool = await testPool();
    const sub = await pool.user('lin@example.com');
    const user = await reread({ sub } as UserRecord);
    const refused = [
      { SMSMfaSettings: { Enabled: true } },
      { SoftwareTokenMfaSettings: { Enabled: true } },
      { EmailMfaSettings: { Enabled: true } },
      { SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: true } },
    ];
    for (const request of refused)
      await failsWith(setMfaPreference(user, request, pool.services), 'InvalidParameterException');
    expect(mfaSettings(await reread(user))).toEqual({ UserMFASettingList: [] });
  });

  it('lets nobody turn MFA on when the pool has it OFF', async () => {
    pool = await testPool();
    const user = await userWithBoth();
    const off = { ...pool.services, pool: { ...pool.services.pool, mfa: 'OFF' as const } };
    await failsWith(
      setMfaPreference(user, { SMSMfaSettings: { Enabled: true } }, off),
      'InvalidParameterException',
    );
  });
});

describe('mfaMethod', () => {
  it('asks for nothing when the pool is OFF, and for SMS to a verified phone when it is ON', async () => {
    pool = await testPool();
    const user = await userWithBoth();
    const enabled = { ...user, mfaEnabled: true, smsMfaEnabled: true };
    expect(mfaMethod(enabled, { mfa: 'OFF' })).toBeUndefined();
    expect(mfaMethod(enabled, { mfa: 'OPTIONAL' })).toBe('SOFTWARE_TOKEN_MFA');
    expect(mfaMethod(user, { mfa: 'OPTIONAL' })).toBeUndefined();
    expect(mfaMethod(user, { mfa: 'ON' })).toBe('SMS_MFA');
    const unverified = {
      ...user,
      attributes: { phone_number: '+14325551212', phone_number_verified: 'false' },
    };
    expect(mfaMethod(unverified, { mfa: 'ON' })).toBeUndefined();
  });
});
