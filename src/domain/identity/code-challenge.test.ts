import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { answerCodeChallenge, startCodeChallenge } from './code-challenge.ts';
import { findUserByEmail, toUserRecord, userKeys, type UserRecord } from './model.ts';

let pool: TestPool;
afterEach(() => pool.close());

/** Starts a challenge for a new user, keeping the code it would have delivered. */
async function challenged(kind: 'EMAIL_OTP' | 'SMS_MFA') {
  await pool.user('ada@example.com');
  const user = (await findUserByEmail('ada@example.com', pool.services))!;
  const sent: string[] = [];
  const answer = await startCodeChallenge(
    kind,
    user,
    { medium: 'EMAIL', destination: 'a***@e***', deliver: async (code) => void sent.push(code) },
    pool.services,
  );
  return { user, session: answer.Session, code: sent[0] ?? '', answer };
}

const reread = async (user: UserRecord) =>
  toUserRecord((await pool.services.users.get(userKeys.user(user.sub), { consistent: true })).item!);

describe('code challenges', () => {
  it('delivers eight digits for EMAIL_OTP and six for SMS_MFA, and answers with the delivery', async () => {
    pool = await testPool();
    const otp = await challenged('EMAIL_OTP');
    expect(otp.code).toMatch(/^\d{8}$/);
    expect(otp.answer).toMatchObject({
      ChallengeName: 'EMAIL_OTP',
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'a***@e***' },
    });
    await pool.close();
    pool = await testPool();
    expect((await challenged('SMS_MFA')).code).toMatch(/^\d{6}$/);
  });

  it('signs in with the right code once; two answers at once, only one wins', async () => {
    pool = await testPool();
    const { user, session, code } = await challenged('EMAIL_OTP');
    const outcomes = await Promise.allSettled([
      answerCodeChallenge('EMAIL_OTP', session, code, pool.services),
      answerCodeChallenge('EMAIL_OTP', session, code, pool.services),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'fulfilled')).toMatchObject({
      value: { sub: user.sub },
    });
    await failsWith(answerCodeChallenge('EMAIL_OTP', session, code, pool.services), 'NotAuthorizedException');
  });

  it('counts a wrong code towards the lockout, and refuses the right one while locked', async () => {
    pool = await testPool();
    const { user, session, code } = await challenged('SMS_MFA');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < 5; attempt++)
      await failsWith(answerCodeChallenge('SMS_MFA', session, wrong, pool.services), 'CodeMismatchException');
    expect((await reread(user)).failedSignIns).toBe(5);
    await failsWith(answerCodeChallenge('SMS_MFA', session, code, pool.services), 'NotAuthorizedException');
  });

  it('ends after three minutes, and answers only its own kind', async () => {
    pool = await testPool();
    const { session, code } = await challenged('EMAIL_OTP');
    await failsWith(answerCodeChallenge('SMS_MFA', session, code, pool.services), 'NotAuthorizedException');
    pool.clock.advance(3 * 60 * 1000);
    await failsWith(answerCodeChallenge('EMAIL_OTP', session, code, pool.services), 'NotAuthorizedException');
  });

  it('answers an unknown user alike, delivering and keeping nothing', async () => {
    pool = await testPool();
    let delivered = false;
    const answer = await startCodeChallenge(
      'EMAIL_OTP',
      undefined,
      { medium: 'EMAIL', destination: 'n***@e***', deliver: async () => void (delivered = true) },
      pool.services,
    );
    expect(answer.ChallengeName).toBe('EMAIL_OTP');
    expect(answer.Session.length).toBeGreaterThan(40);
    expect(delivered).toBe(false);
    await failsWith(
      answerCodeChallenge('EMAIL_OTP', answer.Session, '12345678', pool.services),
      'NotAuthorizedException',
    );
  });
});
