import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { confirmForgotPassword } from './confirm-forgot-password.ts';
import { forgotPassword, resetCodeSeconds } from './forgot-password.ts';
import { findUserByEmail, userKeys, type PostConfirmationEvent } from './model.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function resetCode(email: string): Promise<string> {
  await forgotPassword({ ClientId: pool.services.pool.clientId, Username: email }, pool.services);
  const [mail] = await pool.mail(email);
  return /\b(\d{6})\b/.exec(mail?.text ?? '')![1]!;
}

const confirm = (code: string, Password = 'a new password', Username = 'ada@example.com') =>
  confirmForgotPassword(
    { ClientId: pool.services.pool.clientId, Username, ConfirmationCode: code, Password },
    pool.services,
  );

describe('confirmForgotPassword', () => {
  it('sets the new password with the code, once, and ends the sessions issued before', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const code = await resetCode('ada@example.com');
    const before = (await findUserByEmail('ada@example.com', pool.services))!;
    await confirm(code);
    const after = (await findUserByEmail('ada@example.com', pool.services))!;
    expect(await pool.services.hasher.verify(after.passwordHash, 'a new password')).toBe(true);
    expect(after.srpVerifier).not.toBe(before.srpVerifier);
    expect(after.revocations).toBe((before.revocations ?? 0) + 1);
    await failsWith(confirm(code, 'another password'), 'ExpiredCodeException');
  });

  it('checks the new password against the policy before using up the code', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const code = await resetCode('ada@example.com');
    await failsWith(confirm(code, 'short'), 'InvalidPasswordException');
    await confirm(code);
  });

  it('refuses a wrong, late or unknown user’s code alike, leaving the password as it was', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const code = await resetCode('ada@example.com');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await failsWith(confirm(wrong), 'CodeMismatchException');
    await failsWith(confirm(code, 'a new password', 'ghost@example.com'), 'CodeMismatchException');
    pool.clock.advance(resetCodeSeconds * 1000);
    await failsWith(confirm(code), 'ExpiredCodeException');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    expect(await pool.services.hasher.verify(user.passwordHash, 'Temporary-pass-1')).toBe(true);
  });

  it('ends a reset an administrator asked for: the user is CONFIRMED and gets the post-confirmation step', async () => {
    pool = await testPool();
    const events: PostConfirmationEvent[] = [];
    pool.services.postConfirmation = async (event) => events.push(event);
    const sub = await pool.user('ada@example.com');
    await pool.services.users.update({ key: userKeys.user(sub), set: { status: 'RESET_REQUIRED' } });
    await confirm(await resetCode('ada@example.com'));
    expect((await findUserByEmail('ada@example.com', pool.services))?.status).toBe('CONFIRMED');
    expect(events.map((event) => event.userName)).toEqual([sub]);
  });
});
