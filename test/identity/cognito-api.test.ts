/**
 * The embedded user pool driven by the real AWS SDK client, as an app would
 * drive Amazon Cognito: sign-up, the emailed code, sign-in, the token at the
 * GraphQL API, refresh, and sign-out everywhere.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  DeleteUserCommand,
  ForgotPasswordCommand,
  RevokeTokenCommand,
  ConfirmSignUpCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { latestCode } from '../support/outbox.ts';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { adminClient, cognitoClient } from '../support/cognito-users.ts';
import { errorName } from '../support/pool-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-cognito-'));
let app: App;
let url: string;
let cognito: CognitoIdentityProviderClient;
let clientId: string;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  clientId = app.identity.pool!.clientId;
  cognito = cognitoClient(url);
});
afterAll(async () => {
  cognito?.destroy();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const codeFor = (email: string) => latestCode(dir, email);

async function me(token: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query: '{ me { id email followerCount } }' }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: { me: { id: string; email: string } } },
  };
}

describe('the embedded user pool with the AWS SDK', () => {
  const email = 'ada@example.com';
  const password = 'correct horse battery';
  let sub: string;

  it('signs up, confirms with the mailed code and creates the profile', async () => {
    const signUp = await cognito.send(
      new SignUpCommand({ ClientId: clientId, Username: email, Password: password }),
    );
    expect(signUp.UserConfirmed).toBe(false);
    sub = signUp.UserSub as string;
    expect(
      await errorName(
        cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password })),
      ),
    ).toBe('UsernameExistsException');
    expect(
      await errorName(
        cognito.send(new SignUpCommand({ ClientId: clientId, Username: 'b@example.com', Password: 'short' })),
      ),
    ).toBe('InvalidPasswordException');
    const signInEarly = cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    expect(await errorName(signInEarly)).toBe('UserNotConfirmedException');
    await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }));
    const code = codeFor(email);
    expect(code).toMatch(/^\d{6}$/);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(
      await errorName(
        cognito.send(
          new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: wrong }),
        ),
      ),
    ).toBe('CodeMismatchException');
    await cognito.send(
      new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }),
    );
    // Single use.
    expect(
      await errorName(
        cognito.send(
          new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }),
        ),
      ),
    ).toBe('NotAuthorizedException');
  });

  it('signs in, and the access token works at the GraphQL API', async () => {
    const result = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const tokens = result.AuthenticationResult!;
    expect(tokens.ExpiresIn).toBe(3600);
    const access = decodeJwt(tokens.AccessToken!);
    expect(decodeProtectedHeader(tokens.AccessToken!)).toMatchObject({
      alg: 'RS256',
      kid: expect.any(String),
    });
    expect(access).toMatchObject({
      sub,
      token_use: 'access',
      client_id: clientId,
      iss: `${url}/${app.identity.pool!.userPoolId}`,
    });
    expect(decodeJwt(tokens.IdToken!)).toMatchObject({
      sub,
      aud: clientId,
      token_use: 'id',
      email,
      email_verified: true,
    });
    const jwks = (await (
      await fetch(`${url}/${app.identity.pool!.userPoolId}/.well-known/jwks.json`)
    ).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).toContain(decodeProtectedHeader(tokens.AccessToken!).kid);

    await cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: tokens.AccessToken!,
        UserAttributes: [{ Name: 'custom:profile_picture_url', Value: 'users/me/profile/avatar.jpg' }],
      }),
    );
    expect(
      await errorName(
        cognito.send(
          new UpdateUserAttributesCommand({
            AccessToken: tokens.AccessToken!,
            UserAttributes: [{ Name: 'sub', Value: 'x' }],
          }),
        ),
      ),
    ).toBe('InvalidParameterException');
    const user = await cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken! }));
    expect(user.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe(email);
    expect(user.UserAttributes?.find((a) => a.Name === 'custom:profile_picture_url')?.Value).toBe(
      'users/me/profile/avatar.jpg',
    );
    expect((await me(tokens.AccessToken!)).body.data?.me).toEqual({ id: sub, email, followerCount: 0 });
    // AppSync accepts ID tokens too.
    expect((await me(tokens.IdToken!)).body.data?.me.id).toBe(sub);

    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
      }),
    );
    expect(refreshed.AuthenticationResult?.AccessToken).toBeDefined();
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();

    // Sign out everywhere: the tokens and the refresh token stop working at once.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await cognito.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken! }));
    expect((await me(tokens.AccessToken!)).status).toBe(401);
    const again = cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
      }),
    );
    expect(await errorName(again)).toBe('NotAuthorizedException');
  });

  it('answers the same for an unknown user as for a wrong password, and locks out after five failures', async () => {
    const attempt = (username: string, pass: string) =>
      cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: pass },
        }),
      );
    const unknown = await attempt('nobody@example.com', 'whatever password').catch(
      (error: Error) => error.message,
    );
    const wrong = await attempt(email, 'wrong password!').catch((error: Error) => error.message);
    expect(unknown).toBe('Incorrect username or password.');
    expect(wrong).toBe(unknown);
    for (let i = 0; i < 5; i++) await attempt(email, 'wrong password!').catch(() => undefined);
    // Locked now: even the right password is refused for a while.
    expect(await attempt(email, password).catch((error: Error) => error.message)).toBe(
      'Password attempts exceeded',
    );
  });

  it('resets a forgotten password with the mailed code, changes it, revokes and deletes', async () => {
    const signIn = (pass: string) =>
      cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'lin@example.com', PASSWORD: pass },
        }),
      );
    const { UserSub } = await cognito.send(
      new SignUpCommand({ ClientId: clientId, Username: 'lin@example.com', Password: 'first password' }),
    );
    await cognito.send(
      new ConfirmSignUpCommand({
        ClientId: clientId,
        Username: 'lin@example.com',
        ConfirmationCode: codeFor('lin@example.com'),
      }),
    );
    const before = (await signIn('first password')).AuthenticationResult!;

    // The same answer whether or not the user exists.
    const unknown = await cognito.send(
      new ForgotPasswordCommand({ ClientId: clientId, Username: 'nobody@example.com' }),
    );
    const known = await cognito.send(
      new ForgotPasswordCommand({ ClientId: clientId, Username: 'lin@example.com' }),
    );
    expect(Object.keys(unknown.CodeDeliveryDetails ?? {})).toEqual(
      Object.keys(known.CodeDeliveryDetails ?? {}),
    );
    const resetCode = codeFor('lin@example.com');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'lin@example.com',
        ConfirmationCode: resetCode,
        Password: 'second password',
      }),
    );
    expect(await errorName(signIn('first password'))).toBe('NotAuthorizedException');
    // The reset ended the old sessions.
    expect((await me(before.AccessToken!)).status).toBe(401);
    const after = (await signIn('second password')).AuthenticationResult!;

    await cognito.send(
      new ChangePasswordCommand({
        AccessToken: after.AccessToken!,
        PreviousPassword: 'second password',
        ProposedPassword: 'third password',
      }),
    );
    const latest = (await signIn('third password')).AuthenticationResult!;
    await cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: latest.RefreshToken! }));
    const refresh = cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: latest.RefreshToken! },
      }),
    );
    expect(await errorName(refresh)).toBe('NotAuthorizedException');

    await cognito.send(new DeleteUserCommand({ AccessToken: latest.AccessToken! }));
    expect(await errorName(cognito.send(new GetUserCommand({ AccessToken: latest.AccessToken! })))).toBe(
      'NotAuthorizedException',
    );
    expect(await errorName(signIn('third password'))).toBe('NotAuthorizedException');
    expect(UserSub).toBeDefined();
  });

  it('sets up TOTP and then asks for it at sign-in, each code once', async () => {
    const email = 'mfa@example.com';
    const password = 'mfa password!';
    const signIn = () =>
      cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
    await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password }));
    await cognito.send(
      new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: codeFor(email) }),
    );
    const { AccessToken } = (await signIn()).AuthenticationResult!;
    const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    const secret = base32Decode(SecretCode!);
    const step = totpStep(Date.now());
    expect(
      await errorName(cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: '000000' }))),
    ).toBe(totpAt(secret, step) === '000000' ? 'no error' : 'EnableSoftwareTokenMFAException');
    await cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpAt(secret, step) }));
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    expect(await cognito.send(new GetUserCommand({ AccessToken }))).toMatchObject({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });

    const challenge = await signIn();
    expect(challenge.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(challenge.AuthenticationResult).toBeUndefined();
    // The code just used to verify is spent; the next step's code (within the allowed drift) works once.
    const code = totpAt(secret, step + 1);
    const answer = (session: string | undefined) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    expect((await answer(challenge.Session)).AuthenticationResult?.AccessToken).toBeDefined();
    const again = await signIn();
    expect(await errorName(answer(again.Session))).toBe('CodeMismatchException');
    expect(await errorName(answer('not-a-session-of-this-pool'))).toBe('NotAuthorizedException');
  });

  it('lets the back office (SigV4 with the admin credentials) look up, disable and list users', async () => {
    const admin = adminClient(url);
    const impostor = adminClient(url, 'guess');
    const UserPoolId = app.identity.pool!.userPoolId;
    const user = await admin.send(new AdminGetUserCommand({ UserPoolId, Username: email }));
    expect(user).toMatchObject({ Username: sub, Enabled: true, UserStatus: 'CONFIRMED' });
    expect(await errorName(impostor.send(new AdminGetUserCommand({ UserPoolId, Username: email })))).toBe(
      'NotAuthorizedException',
    );
    expect(
      await errorName(admin.send(new AdminGetUserCommand({ UserPoolId, Username: 'nobody@example.com' }))),
    ).toBe('UserNotFoundException');

    await admin.send(new AdminDisableUserCommand({ UserPoolId, Username: email }));
    expect((await admin.send(new AdminGetUserCommand({ UserPoolId, Username: email }))).Enabled).toBe(false);
    const signIn = cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    expect(await signIn.catch((error: Error) => error.message)).toMatch(/disabled|attempts exceeded/);
    await admin.send(new AdminEnableUserCommand({ UserPoolId, Username: email }));
    await admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: email }));

    // A user the back office creates signs in with the temporary password and must choose their own.
    const created = await admin.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: 'ops@example.com',
        TemporaryPassword: 'temporary pass',
      }),
    );
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    const challenge = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'ops@example.com', PASSWORD: 'temporary pass' },
      }),
    );
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'ops@example.com', NEW_PASSWORD: 'my own password' },
      }),
    );
    const opsToken = answered.AuthenticationResult!.AccessToken!;
    expect((await me(opsToken)).body.data?.me.email).toBe('ops@example.com');
    expect(
      (await admin.send(new AdminGetUserCommand({ UserPoolId, Username: 'ops@example.com' }))).UserStatus,
    ).toBe('CONFIRMED');

    const first = await admin.send(new ListUsersCommand({ UserPoolId, Limit: 2 }));
    expect(first.Users).toHaveLength(2);
    const rest = await admin.send(
      new ListUsersCommand({ UserPoolId, Limit: 60, PaginationToken: first.PaginationToken }),
    );
    const all = [...(first.Users ?? []), ...(rest.Users ?? [])].map((u) => u.Username);
    expect(all).toContain(sub);
    expect(new Set(all).size).toBe(all.length);
    admin.destroy();
    impostor.destroy();
  });

  it('counts sign-ins, refreshes, throttles, requests and capacity in /metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    // The sessions above: sign-ins by ada (1), lin (3), the MFA user (2) and the admin-created user (1),
    // one refresh, one lockout.
    expect(value(/^plaza_sign_in_successes_total (\d+)/m)).toBe(7);
    expect(value(/^plaza_token_refresh_successes_total (\d+)/m)).toBe(1);
    expect(value(/^plaza_sign_in_throttles_total (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^plaza_requests_total\{operation="me"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(
      value(/^plaza_errors_total\{operation="cognito:InitiateAuth",type="NotAuthorizedException"\} (\d+)/m),
    ).toBeGreaterThanOrEqual(6);
    expect(
      value(/^plaza_consumed_read_capacity_units_total\{table="plaza-users",index=""\} ([\d.]+)/m),
    ).toBeGreaterThan(0);
    expect(
      value(/^plaza_consumed_write_capacity_units_total\{table="plaza",index=""\} ([\d.]+)/m),
    ).toBeGreaterThan(0);
    expect(text).toMatch(/^plaza_latency_seconds_bucket\{le="0.1",operation="me"\} \d+/m);
    expect(text).toMatch(/^plaza_connected_clients 0/m);
  });

  it('serves the client configuration in the Amplify outputs shape', async () => {
    const outputs = (await (await fetch(`${url}/amplify_outputs.json`)).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(outputs.auth).toMatchObject({
      aws_region: 'us-west-1',
      user_pool_id: app.identity.pool!.userPoolId,
      user_pool_client_id: clientId,
      username_attributes: ['email'],
      password_policy: { min_length: 8 },
      mfa_configuration: 'OPTIONAL',
      mfa_methods: ['SMS', 'TOTP'],
    });
    expect(outputs.data).toMatchObject({
      url: `${url}/graphql`,
      aws_region: 'us-west-1',
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: ['API_KEY', 'AWS_IAM'],
    });
    expect(outputs.auth).toMatchObject({
      identity_pool_id: app.identity.identityPool!.settings.identityPoolId,
      unauthenticated_identities_enabled: true,
    });
    expect(outputs.storage?.bucket_name).toEqual(expect.any(String));
  });
});
