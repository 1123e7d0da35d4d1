import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { findUserByEmail } from './model.ts';
import { issueTokens } from './tokens.ts';
import { updateUserAttributes } from './update-user-attributes.ts';
import { verifyUserAttribute } from './verify-user-attribute.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function tokenOf(email: string): Promise<string> {
  await pool.user(email);
  const user = (await findUserByEmail(email, pool.services))!;
  return (await issueTokens(user, { withRefreshToken: false }, pool.services)).AccessToken;
}

const update = (AccessToken: string, UserAttributes: { Name: string; Value: string }[]) =>
  updateUserAttributes({ AccessToken, UserAttributes }, pool.verifier, pool.services);

async function codeMailedTo(email: string): Promise<string> {
  const [mail] = await pool.mail(email);
  return /\b(\d{6})\b/.exec(mail?.text ?? '')![1]!;
}

describe('updateUserAttributes', () => {
  it('changes the names a user may change, and nothing is mailed for them', async () => {
    pool = await testPool();
    const token = await tokenOf('ada@example.com');
    expect(
      await update(token, [
        { Name: 'name', Value: 'Ada L.' },
        { Name: 'custom:preferred_username', Value: 'ada' },
      ]),
    ).toEqual({
      CodeDeliveryDetailsList: [],
    });
    expect((await findUserByEmail('ada@example.com', pool.services))?.attributes).toMatchObject({
      name: 'Ada L.',
      'custom:preferred_username': 'ada',
    });
  });

  it('keeps the old email signing in until the new one is verified with the code sent to it', async () => {
    pool = await testPool();
    const token = await tokenOf('ada@example.com');
    const answer = await update(token, [{ Name: 'email', Value: 'Ada@New.example' }]);
    expect(answer.CodeDeliveryDetailsList).toEqual([
      { Destination: 'a***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    ]);
    expect(await findUserByEmail('ada@example.com', pool.services)).toMatchObject({
      pendingEmail: 'ada@new.example',
    });
    expect(await findUserByEmail('ada@new.example', pool.services)).toBeUndefined();
    await verifyUserAttribute(
      { AccessToken: token, AttributeName: 'email', Code: await codeMailedTo('ada@new.example') },
      pool.verifier,
      pool.services,
    );
    expect(await findUserByEmail('ada@example.com', pool.services)).toBeUndefined();
    const moved = await findUserByEmail('ada@new.example', pool.services);
    expect(moved).toMatchObject({ email: 'ada@new.example', attributes: { email_verified: 'true' } });
    expect(moved?.pendingEmail).toBeUndefined();
  });

  it('refuses an email another user has, before and at verification', async () => {
    pool = await testPool();
    const token = await tokenOf('ada@example.com');
    await tokenOf('lin@example.com');
    await failsWith(update(token, [{ Name: 'email', Value: 'LIN@example.com' }]), 'AliasExistsException');
    await update(token, [{ Name: 'email', Value: 'zed@example.com' }]);
    const code = await codeMailedTo('zed@example.com');
    // Someone else takes the address while the code is on its way.
    await pool.user('zed@example.com');
    await failsWith(
      verifyUserAttribute(
        { AccessToken: token, AttributeName: 'email', Code: code },
        pool.verifier,
        pool.services,
      ),
      'AliasExistsException',
    );
    expect((await findUserByEmail('ada@example.com', pool.services))?.email).toBe('ada@example.com');
  });

  it('refuses attributes a user may not change and values out of bounds', async () => {
    pool = await testPool();
    const token = await tokenOf('ada@example.com');
    for (const attribute of [
      { Name: 'sub', Value: 'someone-else' },
      { Name: 'email_verified', Value: 'true' },
      { Name: 'custom:role', Value: 'admin' },
      { Name: 'name', Value: 'x'.repeat(2049) },
      { Name: 'email', Value: 'not an email' },
    ]) {
      await failsWith(update(token, [attribute]), 'InvalidParameterException');
    }
    await failsWith(update(token, []), 'InvalidParameterException');
    expect((await findUserByEmail('ada@example.com', pool.services))?.attributes.email_verified).toBe(
      'false',
    );
  });
});
