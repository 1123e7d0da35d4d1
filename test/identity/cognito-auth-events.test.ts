/**
 * AdminListUserAuthEvents with the real AWS SDK: what a user did (sign-up, sign-ins passed and
 * failed at the password or at MFA, a password reset and change) listed newest first, a page at a
 * time, in Cognito's AuthEventType shape; deleting the user leaves none of it behind.
 */
import {
  AdminDeleteUserCommand,
  AdminListUserAuthEventsCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type AuthEventType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/app.ts';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { userKeys } from '../../src/domain/identity/model.ts';
import { adminClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { latestCode } from '../support/outbox.ts';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';

let server: PoolApp;
let app: App;
let url: string;
let dir: string;
let cognito: CognitoIdentityProviderClient;
let admin: CognitoIdentityProviderClient;

beforeAll(async () => {
  server = await startPoolApp('auth-events');
  ({ app, url, dir, cognito, admin } = server);
});
afterAll(() => server?.close());

const summary = (event: AuthEventType): string[] => [
  String(event.EventType),
  String(event.EventResponse),
  ...(event.ChallengeResponses ?? []).map((c) => `${c.ChallengeName}:${c.ChallengeResponse}`),
];

describe('AdminListUserAuthEvents', { timeout: 60_000 }, () => {
  it("lists a user's sign-ins, resets and changes newest first, and none are left once the user is deleted", async () => {
    const { userPoolId: UserPoolId, clientId: ClientId } = app.identity.pool!;
    const email = 'events@example.com';
    const signIn = (PASSWORD: string) =>
      cognito.send(
        new InitiateAuthCommand({
          ClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD },
        }),
      );
    const { sub, accessToken } = await signUpAndSignIn(cognito, {
      clientId: ClientId,
      dataDir: dir,
      email,
      password: 'correct horse battery',
    });
    await expect(signIn('wrong password')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await cognito.send(new ForgotPasswordCommand({ ClientId, Username: email }));
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId,
        Username: email,
        ConfirmationCode: latestCode(dir, email),
        Password: 'second password 2',
      }),
    );
    const { AuthenticationResult } = await signIn('second password 2');
    const AccessToken = AuthenticationResult!.AccessToken!;
    await expect(
      cognito.send(
        new ChangePasswordCommand({
          AccessToken,
          PreviousPassword: 'not it',
          ProposedPassword: 'third password 3',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await cognito.send(
      new ChangePasswordCommand({
        AccessToken,
        PreviousPassword: 'second password 2',
        ProposedPassword: 'third password 3',
      }),
    );
    expect(accessToken).not.toBe(AccessToken);

    // TOTP on: a wrong code fails the sign-in at MFA, the right one passes it.
    const { AuthenticationResult: again } = await signIn('third password 3');
    const { SecretCode } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: again!.AccessToken! }),
    );
    const secret = base32Decode(SecretCode!);
    const step = totpStep(Date.now());
    await cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: again!.AccessToken!, UserCode: totpAt(secret, step) }),
    );
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: again!.AccessToken!,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const answer = async (code: string) => {
      const { Session } = await signIn('third password 3');
      return cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session,
          ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    };
    const wrong = totpAt(secret, step + 5) === totpAt(secret, step + 1) ? '000000' : totpAt(secret, step + 5);
    await expect(answer(wrong)).rejects.toMatchObject({ name: 'CodeMismatchException' });
    expect((await answer(totpAt(secret, step + 1))).AuthenticationResult?.AccessToken).toBeDefined();

    const expected = [
      ['SignIn', 'Pass', 'Password:Success', 'Mfa:Success'],
      ['SignIn', 'Fail', 'Password:Success', 'Mfa:Failure'],
      ['SignIn', 'Pass', 'Password:Success'],
      ['PasswordChange', 'Pass'],
      ['PasswordChange', 'Fail'],
      ['SignIn', 'Pass', 'Password:Success'],
      ['ForgotPassword', 'Pass'],
      ['ForgotPassword', 'InProgress'],
      ['SignIn', 'Fail', 'Password:Failure'],
      ['SignIn', 'Pass', 'Password:Success'],
      ['SignUp', 'Pass'],
    ];
    const all = await admin.send(new AdminListUserAuthEventsCommand({ UserPoolId, Username: email }));
    expect(all.AuthEvents?.map(summary)).toEqual(expected);
    expect(all.NextToken).toBeUndefined();
    const newest = all.AuthEvents![0]!;
    expect(newest.EventRisk).toEqual({
      RiskDecision: 'NoRisk',
      RiskLevel: 'Low',
      CompromisedCredentialsDetected: false,
    });
    expect(newest.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(newest.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);

    // Pages of four, by Username as the sub too.
    const pages: string[][][] = [];
    let NextToken: string | undefined;
    do {
      const page = await admin.send(
        new AdminListUserAuthEventsCommand({ UserPoolId, Username: sub, MaxResults: 4, NextToken }),
      );
      pages.push(page.AuthEvents!.map(summary));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages.map((page) => page.length)).toEqual([4, 4, 3]);
    expect(pages.flat()).toEqual(expected);

    await expect(
      admin.send(new AdminListUserAuthEventsCommand({ UserPoolId, Username: 'nobody@example.com' })),
    ).rejects.toMatchObject({ name: 'UserNotFoundException' });
    await expect(
      adminClient(url, 'guess').send(new AdminListUserAuthEventsCommand({ UserPoolId, Username: sub })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });

    await admin.send(new AdminDeleteUserCommand({ UserPoolId, Username: sub }));
    const { items } = await app.identity.services!.users.query({ partition: userKeys.user(sub).PK });
    expect(items).toEqual([]);
  });
});
