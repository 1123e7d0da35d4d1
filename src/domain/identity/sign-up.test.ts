import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { findUserByEmail } from './model.ts';
import { maskEmail, signUp } from './sign-up.ts';

let pool: TestPool;
afterEach(() => pool.close());

const request = (fields: Partial<Parameters<typeof signUp>[0]> = {}) => ({
  ClientId: pool.services.pool.clientId,
  Username: 'Ada@Example.com',
  Password: 'correct horse',
  ...fields,
});

describe('signUp', () => {
  it('makes an UNCONFIRMED user under the lower-cased email and mails a six-digit code to it', async () => {
    pool = await testPool();
    const answer = await signUp(request({ UserAttributes: [{ Name: 'name', Value: 'Ada' }] }), pool.services);
    expect(answer).toMatchObject({
      UserConfirmed: false,
      CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    const user = await findUserByEmail('ada@example.com', pool.services);
    expect(user).toMatchObject({ sub: answer.UserSub, status: 'UNCONFIRMED', enabled: true });
    expect(user?.attributes).toMatchObject({
      name: 'Ada',
      email: 'ada@example.com',
      email_verified: 'false',
    });
    // The password is kept only as a hash.
    expect(JSON.stringify(user)).not.toContain('correct horse');
    const [mail] = await pool.mail('ada@example.com');
    expect(mail?.text).toMatch(/\b\d{6}\b/);
  });

  it('refuses an unknown client, a taken email, a short password and attributes outside the schema', async () => {
    pool = await testPool();
    await signUp(request(), pool.services);
    await failsWith(signUp(request({ ClientId: 'other' }), pool.services), 'ResourceNotFoundException');
    await failsWith(
      signUp(request({ Username: 'ADA@example.com' }), pool.services),
      'UsernameExistsException',
    );
    await failsWith(
      signUp(request({ Username: 'lin@example.com', Password: 'short' }), pool.services),
      'InvalidPasswordException',
    );
    await failsWith(
      signUp(request({ Username: 'lin@example.com', Password: '' }), pool.services),
      'InvalidParameterException',
    );
    await failsWith(signUp(request({ Username: 'no email' }), pool.services), 'InvalidParameterException');
    await failsWith(
      signUp(
        request({ Username: 'lin@example.com', UserAttributes: [{ Name: 'custom:role', Value: 'admin' }] }),
        pool.services,
      ),
      'InvalidParameterException',
    );
    await failsWith(
      signUp(
        request({ Username: 'lin@example.com', UserAttributes: [{ Name: 'name', Value: 'x'.repeat(2049) }] }),
        pool.services,
      ),
      'InvalidParameterException',
    );
    expect(await findUserByEmail('lin@example.com', pool.services)).toBeUndefined();
    expect(await pool.mail('lin@example.com')).toEqual([]);
  });

  it('lets one of two simultaneous sign-ups with one email through', async () => {
    pool = await testPool();
    const outcomes = await Promise.allSettled([
      signUp(request(), pool.services),
      signUp(request(), pool.services),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('maskEmail', () => {
  it('shows only the first letter of each side', () => {
    expect(maskEmail('ada@example.com')).toBe('a***@e***');
  });
});
