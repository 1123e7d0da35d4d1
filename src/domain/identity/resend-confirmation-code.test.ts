import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminListUserAuthEvents } from './admin-list-user-auth-events.ts';
import { resendConfirmationCode } from './resend-confirmation-code.ts';
import { signUp } from './sign-up.ts';

let pool: TestPool;
afterEach(() => pool.close());

const resend = (Username: string, ClientId = pool.services.pool.clientId) =>
  resendConfirmationCode({ ClientId, Username }, pool.services);

describe('resendConfirmationCode', () => {
  it('mails an unconfirmed user a new code, and records it', async () => {
    pool = await testPool();
    const { UserSub } = await signUp(
      { ClientId: pool.services.pool.clientId, Username: 'ada@example.com', Password: 'correct horse' },
      pool.services,
    );
    expect(await resend('Ada@Example.com')).toEqual({
      CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    const mails = await pool.mail('ada@example.com');
    expect(mails).toHaveLength(2);
    expect(mails[0]?.text).toMatch(/\b\d{6}\b/);
    const { AuthEvents } = await adminListUserAuthEvents({ Username: UserSub }, pool.services);
    expect(AuthEvents[0]).toMatchObject({ EventType: 'ResendCode', EventResponse: 'Pass' });
  });

  it('answers the same for a user who is unknown or already confirmed, and mails nobody', async () => {
    pool = await testPool();
    await pool.user('lin@example.com');
    for (const email of ['nobody@example.com', 'lin@example.com']) {
      expect(await resend(email)).toMatchObject({ CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } });
      expect(await pool.mail(email)).toEqual([]);
    }
  });

  it('refuses an unknown app client', async () => {
    pool = await testPool();
    await failsWith(resend('ada@example.com', 'someone-else'), 'ResourceNotFoundException');
  });
});
