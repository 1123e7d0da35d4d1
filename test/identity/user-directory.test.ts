/**
 * Both user directories against a real pool: the embedded one's own, and the Cognito adapter
 * through the AWS SDK pointed at the embedded pool (which speaks Cognito's API), so both give a
 * moderator's suspension the same meaning.
 */
import { AdminGetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith } from '../support/fails-with.ts';
import { errorName, startPoolApp, type PoolApp } from '../support/pool-app.ts';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { poolDirectory } from '../../src/domain/identity/pool-directory.ts';
import type { UserDirectory } from '../../src/ports/user-directory.ts';
import { cognitoUserDirectory } from '../../src/adapters/cognito/cognito-user-directory.ts';

let pool: PoolApp;
beforeAll(async () => {
  pool = await startPoolApp('directory');
});
afterAll(() => pool.close());

const directories: [string, () => UserDirectory][] = [
  ['embedded pool', () => poolDirectory(pool.app.identity.services!)],
  [
    'Cognito API',
    () =>
      cognitoUserDirectory({
        userPoolId: pool.userPoolId,
        region: 'us-west-1',
        endpoint: pool.url,
        client: pool.admin,
      }),
  ],
];

describe.each(directories)('the user directory of the %s', (name, directory) => {
  it('suspends a user (no sign-in, the refresh token refused) and reinstates them', async () => {
    const email = `${name.replace(/\W/g, '').toLowerCase()}@example.com`;
    const password = 'Correct-Horse-9';
    const user = await signUpAndSignIn(pool.cognito, {
      clientId: pool.clientId,
      dataDir: pool.dir,
      email,
      password,
    });
    const signIn = (
      AuthFlow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH',
      AuthParameters: Record<string, string>,
    ) => pool.cognito.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow, AuthParameters }));

    await directory().setEnabled(user.sub, false);
    const got = await pool.admin.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: user.sub }),
    );
    expect(got.Enabled).toBe(false);
    expect(await errorName(signIn('USER_PASSWORD_AUTH', { USERNAME: email, PASSWORD: password }))).toBe(
      'NotAuthorizedException',
    );
    await directory().setEnabled(user.sub, true);
    expect(await errorName(signIn('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: user.refreshToken }))).toBe(
      'NotAuthorizedException',
    );
    expect(await errorName(signIn('USER_PASSWORD_AUTH', { USERNAME: email, PASSWORD: password }))).toBe(
      'no error',
    );

    await failsWith(directory().setEnabled('0b5e1c9a-0000-4000-8000-00000000dead', false), 'NotFound');
  });
  it('finds a user by email and by sub, signs them out everywhere and manages their groups', async () => {
    const tag = name.replace(/\W/g, '').toLowerCase();
    const email = `lookup-${tag}@example.com`;
    const user = await signUpAndSignIn(pool.cognito, {
      clientId: pool.clientId,
      dataDir: pool.dir,
      email,
      password: 'Correct-Horse-9',
    });
    const byEmail = await directory().findUser(email.toUpperCase());
    expect(byEmail).toMatchObject({ sub: user.sub, email, enabled: true, status: 'CONFIRMED' });
    expect(await directory().findUser(user.sub)).toEqual(byEmail);
    expect(await directory().findUser('nobody@example.com')).toBeUndefined();
    expect(await directory().findUser('0b5e1c9a-0000-4000-8000-00000000dead')).toBeUndefined();

    await directory().signOutEverywhere(user.sub);
    const refresh = pool.cognito.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.refreshToken },
      }),
    );
    expect(await errorName(refresh)).toBe('NotAuthorizedException');

    expect(await directory().listGroups(user.sub)).toEqual([]);
    await directory().addToGroup(user.sub, 'moderators');
    await directory().addToGroup(user.sub, 'moderators');
    expect(await directory().listGroups(user.sub)).toEqual(['moderators']);
    await directory().removeFromGroup(user.sub, 'moderators');
    expect(await directory().listGroups(user.sub)).toEqual([]);

    const unknown = '0b5e1c9a-0000-4000-8000-00000000dead';
    await failsWith(directory().signOutEverywhere(unknown), 'NotFound');
    await failsWith(directory().listGroups(unknown), 'NotFound');
    await failsWith(directory().addToGroup(user.sub, 'no-such-group'), 'NotFound');
    await failsWith(directory().addToGroup(unknown, 'moderators'), 'NotFound');

    await directory().deleteUser(user.sub);
    expect(await directory().findUser(email)).toBeUndefined();
  });
});
