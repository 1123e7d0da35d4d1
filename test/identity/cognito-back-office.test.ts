/**
 * The back office's operations driven by the real AWS SDK client, signed with the admin
 * credentials (local/local in development): attributes, passwords, sign-in from a back end,
 * a user's MFA, and the pool as configured.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { adminClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { latestCode } from '../support/outbox.ts';
import { errorName, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let server: PoolApp;
let url: string;
let dir: string;
let cognito: CognitoIdentityProviderClient;
let admin: CognitoIdentityProviderClient;
let impostor: CognitoIdentityProviderClient;
let UserPoolId: string;
let ClientId: string;

beforeAll(async () => {
  server = await startPoolApp('back-office');
  ({ url, dir, cognito, admin, userPoolId: UserPoolId, clientId: ClientId } = server);
  impostor = adminClient(url, 'guess');
});
afterAll(async () => {
  impostor?.destroy();
  await server?.close();
});

const user = (email: string, password = 'correct horse battery') =>
  signUpAndSignIn(cognito, { clientId: ClientId, dataDir: dir, email, password });

const signIn = (email: string, password: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

const adminSignIn = (email: string, password: string) =>
  admin.send(
    new AdminInitiateAuthCommand({
      UserPoolId,
      ClientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

async function attributesOf(username: string) {
  const answer = await admin.send(new AdminGetUserCommand({ UserPoolId, Username: username }));
  return {
    ...answer,
    values: Object.fromEntries((answer.UserAttributes ?? []).map(({ Name, Value }) => [Name, Value])),
  };
}

async function profile(accessToken: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: accessToken },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });
  return ((await response.json()) as { data?: { me: { id: string } | null } }).data?.me;
}

describe('the back office', () => {
  it('updates and deletes attributes, and dates the change', async () => {
    const { sub } = await user('attrs@example.com');
    const before = await attributesOf('attrs@example.com');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId,
        Username: sub,
        UserAttributes: [
          { Name: 'name', Value: 'Ada' },
          { Name: 'custom:profile_picture_url', Value: 'https://example.com/ada.jpg' },
        ],
      }),
    );
    const after = await attributesOf('attrs@example.com');
    expect(after.values).toMatchObject({
      name: 'Ada',
      'custom:profile_picture_url': 'https://example.com/ada.jpg',
    });
    expect(after.UserLastModifiedDate!.getTime()).toBeGreaterThan(before.UserLastModifiedDate!.getTime());

    const update = (Name: string, Value: string, Username = sub, client = admin) =>
      errorName(
        client.send(
          new AdminUpdateUserAttributesCommand({ UserPoolId, Username, UserAttributes: [{ Name, Value }] }),
        ),
      );
    expect(await update('favourite_colour', 'blue')).toBe('InvalidParameterException');
    expect(await update('sub', 'someone else')).toBe('InvalidParameterException');
    expect(await update('email_verified', 'maybe')).toBe('InvalidParameterException');
    expect(await update('email', 'not an email')).toBe('InvalidParameterException');
    expect(await update('name', 'Eve', 'nobody@example.com')).toBe('UserNotFoundException');
    expect(await update('name', 'Eve', sub, impostor)).toBe('NotAuthorizedException');

    await admin.send(
      new AdminDeleteUserAttributesCommand({ UserPoolId, Username: sub, UserAttributeNames: ['name'] }),
    );
    expect((await attributesOf(sub)).values.name).toBeUndefined();
    const remove = (name: string) =>
      errorName(
        admin.send(
          new AdminDeleteUserAttributesCommand({ UserPoolId, Username: sub, UserAttributeNames: [name] }),
        ),
      );
    expect(await remove('email')).toBe('InvalidParameterException');
    expect(await remove('no_such_attribute')).toBe('InvalidParameterException');
  });

  it('keeps the attributes a created user is given, checked as an update checks them', async () => {
    const created = await admin.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: 'created@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'created@example.com' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'phone_number', Value: '+14325551212' },
          { Name: 'name', Value: 'Grace' },
          { Name: 'custom:preferred_username', Value: 'grace' },
        ],
      }),
    );
    const expected = {
      email: 'created@example.com',
      email_verified: 'true',
      phone_number: '+14325551212',
      // Nobody proved the number theirs yet.
      phone_number_verified: 'false',
      name: 'Grace',
      'custom:preferred_username': 'grace',
    };
    expect(
      Object.fromEntries((created.User?.Attributes ?? []).map(({ Name, Value }) => [Name, Value])),
    ).toMatchObject(expected);
    expect((await attributesOf('created@example.com')).values).toMatchObject(expected);

    const verifiedPhone = await admin.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: 'created.verified@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'phone_number', Value: '+14325551213' },
          { Name: 'phone_number_verified', Value: 'true' },
        ],
      }),
    );
    expect(verifiedPhone.User?.Attributes).toEqual(
      expect.arrayContaining([
        { Name: 'phone_number_verified', Value: 'true' },
        { Name: 'email_verified', Value: 'false' },
      ]),
    );

    const create = (Name: string, Value: string) =>
      errorName(
        admin.send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: `refused.${Name.replace(':', '.')}@example.com`,
            MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name, Value }],
          }),
        ),
      );
    expect(await create('phone_number', '4325551212')).toBe('InvalidParameterException');
    expect(await create('custom:favourite_colour', 'blue')).toBe('InvalidParameterException');
    expect(await create('sub', 'someone else')).toBe('InvalidParameterException');
    expect(await create('email_verified', 'maybe')).toBe('InvalidParameterException');
    expect(await create('custom:preferred_username', 'x'.repeat(257))).toBe('InvalidParameterException');
    // A refused creation leaves no user behind.
    expect(
      await errorName(
        admin.send(new AdminGetUserCommand({ UserPoolId, Username: 'refused.phone_number@example.com' })),
      ),
    ).toBe('UserNotFoundException');
  });

  it('changes a user’s email: at once when marked verified, otherwise after the mailed code', async () => {
    const { sub } = await user('old@example.com');
    await user('taken@example.com');
    const change = (email: string, verified: boolean) =>
      admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId,
          Username: sub,
          UserAttributes: [
            { Name: 'email', Value: email },
            ...(verified ? [{ Name: 'email_verified', Value: 'true' }] : []),
          ],
        }),
      );
    expect(await errorName(change('taken@example.com', true))).toBe('AliasExistsException');
    await change('pending@example.com', false);
    expect(latestCode(dir, 'pending@example.com')).toMatch(/^\d{6}$/);
    // Until the code is used the old address still signs in.
    await signIn('old@example.com', 'correct horse battery');
    await change('new@example.com', true);
    expect((await signIn('new@example.com', 'correct horse battery')).AuthenticationResult).toBeDefined();
    expect(await errorName(signIn('old@example.com', 'correct horse battery'))).toBe(
      'NotAuthorizedException',
    );
    expect((await attributesOf(sub)).values).toMatchObject({
      email: 'new@example.com',
      email_verified: 'true',
    });
  });

  it('sets a permanent or a temporary password, ending the user’s sessions', async () => {
    const { sub, accessToken } = await user('setpw@example.com');
    await admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId,
        Username: sub,
        Password: 'a new password',
        Permanent: true,
      }),
    );
    expect(await errorName(cognito.send(new GetUserCommand({ AccessToken: accessToken })))).toBe(
      'NotAuthorizedException',
    );
    expect(await errorName(signIn('setpw@example.com', 'correct horse battery'))).toBe(
      'NotAuthorizedException',
    );
    expect((await signIn('setpw@example.com', 'a new password')).AuthenticationResult).toBeDefined();
    expect((await attributesOf(sub)).UserStatus).toBe('CONFIRMED');

    await admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId, Username: sub, Password: 'for one week' }),
    );
    expect((await attributesOf(sub)).UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect((await signIn('setpw@example.com', 'for one week')).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');

    expect(
      await errorName(
        admin.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: sub, Password: 'short' })),
      ),
    ).toBe('InvalidPasswordException');
    expect(
      await errorName(
        admin.send(
          new AdminSetUserPasswordCommand({
            UserPoolId,
            Username: 'nobody@example.com',
            Password: 'long enough',
          }),
        ),
      ),
    ).toBe('UserNotFoundException');
  });

  it('confirms an unconfirmed user with a permanent password, who then has a profile', async () => {
    await cognito.send(
      new SignUpCommand({ ClientId, Username: 'unconfirmed@example.com', Password: 'correct horse battery' }),
    );
    await admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId,
        Username: 'unconfirmed@example.com',
        Password: 'set by support',
        Permanent: true,
      }),
    );
    const { AuthenticationResult } = await signIn('unconfirmed@example.com', 'set by support');
    expect(await profile(AuthenticationResult!.AccessToken!)).toMatchObject({ id: expect.any(String) });
  });

  it('resets a password: sign-in is refused until the mailed code sets a new one', async () => {
    const { sub } = await user('reset@example.com');
    await admin.send(new AdminResetUserPasswordCommand({ UserPoolId, Username: 'reset@example.com' }));
    expect((await attributesOf(sub)).UserStatus).toBe('RESET_REQUIRED');
    expect(await errorName(signIn('reset@example.com', 'correct horse battery'))).toBe(
      'PasswordResetRequiredException',
    );
    expect(await errorName(adminSignIn('reset@example.com', 'correct horse battery'))).toBe(
      'PasswordResetRequiredException',
    );
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId,
        Username: 'reset@example.com',
        ConfirmationCode: latestCode(dir, 'reset@example.com'),
        Password: 'chosen after reset',
      }),
    );
    expect((await attributesOf(sub)).UserStatus).toBe('CONFIRMED');
    expect((await signIn('reset@example.com', 'chosen after reset')).AuthenticationResult).toBeDefined();

    await cognito.send(
      new SignUpCommand({ ClientId, Username: 'pending@reset.example', Password: 'long enough' }),
    );
    const reset = (Username: string) =>
      errorName(admin.send(new AdminResetUserPasswordCommand({ UserPoolId, Username })));
    expect(await reset('pending@reset.example')).toBe('NotAuthorizedException');
    expect(await reset('nobody@example.com')).toBe('UserNotFoundException');
    expect(
      await errorName(impostor.send(new AdminResetUserPasswordCommand({ UserPoolId, Username: sub }))),
    ).toBe('NotAuthorizedException');
  });

  it('signs users in from a back end (ADMIN_USER_PASSWORD_AUTH, refresh, and the challenges)', async () => {
    const { sub } = await user('backend@example.com');
    const { AuthenticationResult } = await adminSignIn('backend@example.com', 'correct horse battery');
    expect(AuthenticationResult).toMatchObject({ TokenType: 'Bearer', ExpiresIn: 3600 });
    const refreshed = await admin.send(
      new AdminInitiateAuthCommand({
        UserPoolId,
        ClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: AuthenticationResult!.RefreshToken! },
      }),
    );
    expect(refreshed.AuthenticationResult?.AccessToken).toBeDefined();
    expect(await errorName(adminSignIn('backend@example.com', 'wrong password'))).toBe(
      'NotAuthorizedException',
    );
    const flow = (
      AuthFlow: 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH',
      client = admin,
      clientId = ClientId,
    ) =>
      errorName(
        client.send(
          new AdminInitiateAuthCommand({
            UserPoolId,
            ClientId: clientId,
            AuthFlow,
            AuthParameters: { USERNAME: 'backend@example.com', PASSWORD: 'correct horse battery' },
          }),
        ),
      );
    expect(await flow('USER_PASSWORD_AUTH')).toBe('InvalidParameterException');
    expect(await flow('ADMIN_USER_PASSWORD_AUTH', admin, 'unknownclient0000000000000')).toBe(
      'ResourceNotFoundException',
    );
    expect(await flow('ADMIN_USER_PASSWORD_AUTH', impostor)).toBe('NotAuthorizedException');

    // The user sets up TOTP; the back office turns it on; sign-in then asks for a code.
    const { SecretCode } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: AuthenticationResult!.AccessToken! }),
    );
    const secret = base32Decode(SecretCode!);
    const step = totpStep(Date.now());
    await cognito.send(
      new VerifySoftwareTokenCommand({
        AccessToken: AuthenticationResult!.AccessToken!,
        UserCode: totpAt(secret, step),
      }),
    );
    await admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId,
        Username: sub,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    expect((await attributesOf(sub)).PreferredMfaSetting).toBe('SOFTWARE_TOKEN_MFA');
    const challenge = await adminSignIn('backend@example.com', 'correct horse battery');
    expect(challenge.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answer = (code: string) =>
      admin.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId,
          ClientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: 'backend@example.com', SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    const wrong = totpAt(secret, step + 1) === '000000' ? '111111' : '000000';
    expect(await errorName(answer(wrong))).toBe('CodeMismatchException');
    expect((await answer(totpAt(secret, step + 1))).AuthenticationResult?.AccessToken).toBeDefined();

    await admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId,
        Username: sub,
        SoftwareTokenMfaSettings: { Enabled: false },
      }),
    );
    expect(
      (await adminSignIn('backend@example.com', 'correct horse battery')).AuthenticationResult,
    ).toBeDefined();
  });

  it('refuses MFA a user has not set up', async () => {
    const { sub } = await user('nomfa@example.com');
    const prefer = (settings: object) =>
      errorName(admin.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId, Username: sub, ...settings })));
    expect(await prefer({ SoftwareTokenMfaSettings: { Enabled: true } })).toBe('InvalidParameterException');
    expect(await prefer({ SMSMfaSettings: { Enabled: true } })).toBe('InvalidParameterException');
    expect(
      await errorName(
        admin.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId,
            Username: 'nobody@example.com',
            SoftwareTokenMfaSettings: { Enabled: false },
          }),
        ),
      ),
    ).toBe('UserNotFoundException');
  });

  it('answers the back office challenges of an invited user (NEW_PASSWORD_REQUIRED)', async () => {
    await user('invited@example.com');
    await admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId,
        Username: 'invited@example.com',
        Password: 'temporary one',
      }),
    );
    const challenge = await adminSignIn('invited@example.com', 'temporary one');
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const respond = (NEW_PASSWORD: string, Session = challenge.Session) =>
      admin.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId,
          ClientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session,
          ChallengeResponses: { USERNAME: 'invited@example.com', NEW_PASSWORD },
        }),
      );
    expect(await errorName(respond('short'))).toBe('InvalidPasswordException');
    expect(await errorName(respond('a fine password', 'x'.repeat(48)))).toBe('NotAuthorizedException');
    expect((await respond('a fine password')).AuthenticationResult?.IdToken).toBeDefined();
  });

  it('describes the pool and its app client as configured', async () => {
    const { UserPool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId }));
    expect(UserPool).toMatchObject({
      Id: UserPoolId,
      Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 7 } },
      MfaConfiguration: 'OPTIONAL',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      LambdaConfig: { PostConfirmation: expect.stringMatching(/^arn:aws:lambda:/) },
    });
    expect(UserPool?.SchemaAttributes?.map((attribute) => attribute.Name)).toEqual(
      expect.arrayContaining(['sub', 'email', 'custom:profile_picture_url']),
    );
    expect(
      await errorName(admin.send(new DescribeUserPoolCommand({ UserPoolId: 'us-west-1_Unknown01' }))),
    ).toBe('ResourceNotFoundException');
    expect(await errorName(impostor.send(new DescribeUserPoolCommand({ UserPoolId })))).toBe(
      'NotAuthorizedException',
    );

    const { UserPoolClient } = await admin.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId }));
    expect(UserPoolClient).toMatchObject({
      ClientId,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(UserPoolClient?.ExplicitAuthFlows).toContain('ALLOW_ADMIN_USER_PASSWORD_AUTH');
    expect(
      await errorName(
        admin.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId: 'unknownclient0000000000000' })),
      ),
    ).toBe('ResourceNotFoundException');
  });

  it('lists the pool and its app client', async () => {
    const { UserPools, NextToken } = await admin.send(new ListUserPoolsCommand({ MaxResults: 10 }));
    expect(UserPools).toEqual([expect.objectContaining({ Id: UserPoolId, Name: 'plaza' })]);
    expect(NextToken).toBeUndefined();
    expect(await errorName(admin.send(new ListUserPoolsCommand({ MaxResults: 61 })))).toBe(
      'InvalidParameterException',
    );
    const { UserPoolClients } = await admin.send(new ListUserPoolClientsCommand({ UserPoolId }));
    expect(UserPoolClients).toEqual([{ ClientId, UserPoolId, ClientName: 'plaza-app' }]);
    expect(
      await errorName(admin.send(new ListUserPoolClientsCommand({ UserPoolId: 'us-west-1_Unknown01' }))),
    ).toBe('ResourceNotFoundException');
  });

  it('answers the pool’s MFA configuration, which plaza.config.json sets', async () => {
    const config = await admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId }));
    expect(config).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
    expect(
      await admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId, MfaConfiguration: 'OPTIONAL' })),
    ).toMatchObject({ MfaConfiguration: 'OPTIONAL' });
    const set = (request: object) =>
      errorName(admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId, ...request })));
    expect(await set({ MfaConfiguration: 'ON' })).toBe('InvalidParameterException');
    expect(await set({ SoftwareTokenMfaConfiguration: { Enabled: false } })).toBe(
      'InvalidParameterException',
    );
    expect(await set({ UserPoolId: 'us-west-1_Unknown01' })).toBe('ResourceNotFoundException');
  });
});
