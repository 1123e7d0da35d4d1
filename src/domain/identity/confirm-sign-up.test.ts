import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { confirmSignUp } from './confirm-sign-up.ts';
import { findUserByEmail, type PostConfirmationEvent } from './model.ts';
import { signUp } from './sign-up.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function signedUp(email = 'ada@example.com') {
  await signUp(
    { ClientId: pool.services.pool.clientId, Username: email, Password: 'correct horse' },
    pool.services,
  );
  const [mail] = await pool.mail(email);
  return /\b(\d{6})\b/.exec(mail?.text ?? '')![1]!;
}

const confirm = (code: string, Username = 'ada@example.com') =>
  confirmSignUp({ ClientId: pool.services.pool.clientId, Username, ConfirmationCode: code }, pool.services);

/** A six-digit code that is not `code`. */
const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('confirmSignUp', () => {
  it('confirms with the mailed code, verifies the email and runs the post-confirmation trigger once', async () => {
    pool = await testPool();
    const events: PostConfirmationEvent[] = [];
    pool.services.postConfirmation = async (event) => events.push(event);
    const code = await signedUp();
    await confirm(code, 'ADA@example.com');
    const user = await findUserByEmail('ada@example.com', pool.services);
    expect(user).toMatchObject({ status: 'CONFIRMED', attributes: { email_verified: 'true' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.request.userAttributes).toMatchObject({
      email: 'ada@example.com',
      'cognito:user_status': 'CONFIRMED',
    });
    await failsWith(confirm(code), 'NotAuthorizedException');
    expect(events).toHaveLength(1);
  });

  it('answers a wrong code and an unknown user alike, and voids the code after five wrong tries', async () => {
    pool = await testPool();
    const code = await signedUp();
    await failsWith(confirm(code, 'ghost@example.com'), 'CodeMismatchException');
    for (let attempt = 1; attempt < 5; attempt++)
      await failsWith(confirm(other(code)), 'CodeMismatchException');
    await failsWith(confirm(other(code)), 'TooManyFailedAttemptsException');
    await failsWith(confirm(code), 'ExpiredCodeException');
    expect((await findUserByEmail('ada@example.com', pool.services))?.status).toBe('UNCONFIRMED');
  });

  it('refuses a code past its lifetime, and an unknown client', async () => {
    pool = await testPool();
    const code = await signedUp();
    await failsWith(
      confirmSignUp(
        { ClientId: 'other', Username: 'ada@example.com', ConfirmationCode: code },
        pool.services,
      ),
      'ResourceNotFoundException',
    );
    pool.clock.advance(pool.services.pool.confirmationCodeSeconds * 1000);
    await failsWith(confirm(code), 'ExpiredCodeException');
    expect((await findUserByEmail('ada@example.com', pool.services))?.status).toBe('UNCONFIRMED');
  });
});
