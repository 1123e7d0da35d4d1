import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import {
  maskPhone,
  requirePhone,
  saveSmsMfaConfiguration,
  smsMfaConfiguration,
  textMfaCode,
  withPhoneChange,
} from './sms.ts';

let pool: TestPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('phone numbers', () => {
  it('takes E.164 numbers only, and masks all but the last four digits', async () => {
    expect(requirePhone('+14325551212')).toBe('+14325551212');
    for (const bad of ['4325551212', '+0123456', '+1 432 555 1212', '+1234567890123456', 42])
      expect(() => requirePhone(bad)).toThrow(/E\.164/);
    expect(maskPhone('+14325551212')).toBe('+*******1212');
  });

  it('unverifies a changed number and stops SMS MFA, unless an administrator verifies it', () => {
    const user = {
      attributes: { phone_number: '+14325551212', phone_number_verified: 'true' },
      smsMfaEnabled: true,
    };
    expect(withPhoneChange(user, { ...user.attributes, name: 'Ada' })).toEqual({
      attributes: { ...user.attributes, name: 'Ada' },
      smsMfaOff: false,
    });
    expect(withPhoneChange(user, { phone_number: '+14325550000', phone_number_verified: 'true' })).toEqual({
      attributes: { phone_number: '+14325550000', phone_number_verified: 'false' },
      smsMfaOff: true,
    });
    expect(
      withPhoneChange(user, { phone_number: '+14325550000', phone_number_verified: 'true' }, true),
    ).toMatchObject({ smsMfaOff: false });
    expect(withPhoneChange(user, {})).toEqual({ attributes: {}, smsMfaOff: true });
  });
});

describe('SMS MFA messages', () => {
  it('texts the code in the configured message, through the outbox as channel sms', async () => {
    pool = await testPool();
    expect((await smsMfaConfiguration(pool.services)).SmsAuthenticationMessage).toContain('{####}');
    await failsWith(
      saveSmsMfaConfiguration({ SmsAuthenticationMessage: 'no code' }, pool.services),
      'InvalidParameterException',
    );
    await saveSmsMfaConfiguration({ SmsAuthenticationMessage: 'Plaza: {####}' }, pool.services);
    await textMfaCode('+14325551212', '123456', pool.services);
    expect(await pool.mail('+14325551212')).toMatchObject([
      { channel: 'sms', text: 'Plaza: 123456', purpose: 'mfa' },
    ]);
  });
});
