import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminSetEnabled } from './admin-users.ts';
import { forgotPassword } from './forgot-password.ts';

let pool: TestPool;
afterEach(() => pool.close());

const forgot = (Username: string) =>
  forgotPassword({ ClientId: pool.services.pool.clientId, Username }, pool.services);

describe('forgotPassword', () => {
  it('mails a reset code to a known user, in any case of the email', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const answer = await forgot('ADA@example.com');
    expect(answer.CodeDeliveryDetails).toEqual({
      Destination: 'a***@e***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const [mail] = await pool.mail('ada@example.com');
    expect(mail).toMatchObject({ purpose: 'reset' });
    expect(mail?.text).toMatch(/\b\d{6}\b/);
  });

  it('answers an unknown or disabled user as it answers a known one, and mails nothing', async () => {
    pool = await testPool();
    const sub = await pool.user('lin@example.com');
    await adminSetEnabled({ Username: sub }, false, pool.services);
    const known = await forgot('ghost@example.com');
    expect(known).toEqual({
      CodeDeliveryDetails: { Destination: 'g***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    await forgot('lin@example.com');
    expect(await pool.mail('ghost@example.com')).toEqual([]);
    expect(await pool.mail('lin@example.com')).toEqual([]);
  });

  it('refuses an unknown client', async () => {
    pool = await testPool();
    await failsWith(
      forgotPassword({ ClientId: 'other', Username: 'a@example.com' }, pool.services),
      'ResourceNotFoundException',
    );
  });
});
