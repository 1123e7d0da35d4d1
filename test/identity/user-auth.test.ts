/**
 * Choice-based sign-in (USER_AUTH) through the AWS SDK: PREFERRED_CHALLENGE, SELECT_CHALLENGE with
 * AvailableChallenges, passwordless EMAIL_OTP with the mailed eight-digit code, PASSWORD_SRP with
 * amazon-cognito-identity-js's SRP helper (that library has no USER_AUTH flow of its own), and MFA
 * after a password but not after an emailed code.
 */
import {
  AdminInitiateAuthCommand,
  AssociateSoftwareTokenCommand,
  type ChallengeNameType,
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { errorName, startPoolApp, type PoolApp } from '../support/pool-app.ts';
import { latestCode } from '../support/outbox.ts';
import { srpClient } from '../support/srp-client.ts';

let server: PoolApp;
let dir: string;
let cognito: CognitoIdentityProviderClient;
let admin: CognitoIdentityProviderClient;
let clientId: string;
let userPoolId: string;
/** How far the server's clock is ahead of the test's: codes expire without waiting. */
let skew = 0;
const password = 'correct horse battery';

beforeAll(async () => {
  server = await startPoolApp('user-auth', { overrides: { clock: { now: () => Date.now() + skew } } });
  ({ dir, cognito, admin, clientId, userPoolId } = server);
});
afterAll(() => server?.close());

const userAuth = (parameters: Record<string, string>) =>
  cognito.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: parameters }),
  );

const respond = (
  ChallengeName: ChallengeNameType,
  Session: string | undefined,
  ChallengeResponses: Record<string, string>,
) =>
  cognito.send(
    new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName, Session, ChallengeResponses }),
  );

const user = (email: string) => signUpAndSignIn(cognito, { clientId, dataDir: dir, email, password });

const mailCount = () => readdirSync(join(dir, 'outbox')).length;

it('offers the choices and signs in with the chosen password, once per session', async () => {
  const email = 'choice@example.com';
  await user(email);
  const select = await userAuth({ USERNAME: email });
  expect(select.ChallengeName).toBe('SELECT_CHALLENGE');
  expect(select.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
  expect(select.Session).toBeTruthy();
  expect(
    await errorName(respond('SELECT_CHALLENGE', select.Session, { USERNAME: email, ANSWER: 'WEB_AUTHN' })),
  ).toBe('InvalidParameterException');
  expect(
    await errorName(
      respond('SELECT_CHALLENGE', select.Session, { USERNAME: 'other@example.com', ANSWER: 'PASSWORD' }),
    ),
  ).toBe('NotAuthorizedException');
  const signedIn = await respond('SELECT_CHALLENGE', select.Session, {
    USERNAME: email,
    ANSWER: 'PASSWORD',
    PASSWORD: password,
  });
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
  expect(
    await errorName(
      respond('SELECT_CHALLENGE', select.Session, {
        USERNAME: email,
        ANSWER: 'PASSWORD',
        PASSWORD: password,
      }),
    ),
  ).toBe('NotAuthorizedException');
});

it('signs in with PREFERRED_CHALLENGE PASSWORD directly, and refuses a wrong one alike for unknown users', async () => {
  const email = 'preferred@example.com';
  await user(email);
  const signedIn = await userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: password });
  expect(signedIn.AuthenticationResult?.IdToken).toBeTruthy();
  expect(
    await errorName(
      userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'wrong password' }),
    ),
  ).toBe('NotAuthorizedException');
  expect(
    await errorName(
      userAuth({ USERNAME: 'nobody@example.com', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: password }),
    ),
  ).toBe('NotAuthorizedException');
  expect(await errorName(userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD' }))).toBe(
    'InvalidParameterException',
  );
  expect(await errorName(userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'TELEPATHY' }))).toBe(
    'InvalidParameterException',
  );
  // A challenge this user cannot take (no passkey yet): the user chooses among the others.
  const fallback = await userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' });
  expect(fallback.ChallengeName).toBe('SELECT_CHALLENGE');
});

it('signs in without a password by an eight-digit code mailed to the verified address, each code once', async () => {
  const email = 'otp@example.com';
  await user(email);
  const challenge = await userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' });
  expect(challenge.ChallengeName).toBe('EMAIL_OTP');
  expect(challenge.ChallengeParameters).toMatchObject({
    CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL',
    CODE_DELIVERY_DESTINATION: 'o***@e***',
  });
  const code = latestCode(dir, email);
  expect(code).toMatch(/^\d{8}$/);
  const wrong = code === '00000000' ? '11111111' : '00000000';
  expect(
    await errorName(respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: wrong })),
  ).toBe('CodeMismatchException');
  const signedIn = await respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: code });
  expect(signedIn.AuthenticationResult?.RefreshToken).toBeTruthy();
  expect(
    await errorName(respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: code })),
  ).toBe('NotAuthorizedException');
});

it('chooses EMAIL_OTP through SELECT_CHALLENGE, and ends the challenge after three minutes', async () => {
  const email = 'otp-select@example.com';
  await user(email);
  const select = await userAuth({ USERNAME: email });
  const challenge = await respond('SELECT_CHALLENGE', select.Session, {
    USERNAME: email,
    ANSWER: 'EMAIL_OTP',
  });
  expect(challenge.ChallengeName).toBe('EMAIL_OTP');
  const code = latestCode(dir, email);
  skew += 3 * 60 * 1000 + 1000;
  expect(
    await errorName(respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: code })),
  ).toBe('NotAuthorizedException');
});

it('counts wrong codes towards the lockout', async () => {
  const email = 'otp-lockout@example.com';
  await user(email);
  const challenge = await userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' });
  const code = latestCode(dir, email);
  const wrong = code === '00000000' ? '11111111' : '00000000';
  for (let attempt = 0; attempt < 5; attempt++)
    expect(
      await errorName(respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: wrong })),
    ).toBe('CodeMismatchException');
  // Five failures: locked, even with the right code.
  expect(
    await errorName(respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: code })),
  ).toBe('NotAuthorizedException');
  expect(await errorName(userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' }))).toBe(
    'NotAuthorizedException',
  );
});

it('gives an unknown user the same choices and challenge, and mails nothing', async () => {
  const email = 'unknown@example.com';
  const select = await userAuth({ USERNAME: email });
  expect(select.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
  const before = mailCount();
  const challenge = await respond('SELECT_CHALLENGE', select.Session, {
    USERNAME: email,
    ANSWER: 'EMAIL_OTP',
  });
  expect(challenge.ChallengeName).toBe('EMAIL_OTP');
  expect(challenge.ChallengeParameters?.CODE_DELIVERY_DESTINATION).toBe('u***@e***');
  expect(mailCount()).toBe(before);
  expect(
    await errorName(respond('EMAIL_OTP', challenge.Session, { USERNAME: email, EMAIL_OTP_CODE: '12345678' })),
  ).toBe('NotAuthorizedException');
});

it('signs in with PASSWORD_SRP, continuing with PASSWORD_VERIFIER as USER_SRP_AUTH does', async () => {
  const email = 'srp-choice@example.com';
  await user(email);
  const srp = await srpClient(userPoolId);
  const select = await userAuth({ USERNAME: email });
  const verifier = await respond('SELECT_CHALLENGE', select.Session, {
    USERNAME: email,
    ANSWER: 'PASSWORD_SRP',
    SRP_A: srp.A,
  });
  expect(verifier.ChallengeName).toBe('PASSWORD_VERIFIER');
  const signedIn = await respond(
    'PASSWORD_VERIFIER',
    verifier.Session,
    await srp.answer(verifier.ChallengeParameters ?? {}, password),
  );
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();

  const preferred = await srpClient(userPoolId);
  const direct = await userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD_SRP', SRP_A: preferred.A });
  expect(direct.ChallengeName).toBe('PASSWORD_VERIFIER');
  const wrong = await preferred.answer(direct.ChallengeParameters ?? {}, 'not the password');
  expect(await errorName(respond('PASSWORD_VERIFIER', direct.Session, wrong))).toBe('NotAuthorizedException');
});

it('asks for MFA after a password but not after an emailed code', async () => {
  const email = 'otp-mfa@example.com';
  const { accessToken } = await user(email);
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  const secret = base32Decode(SecretCode!);
  await cognito.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: totpAt(secret, totpStep(Date.now() + skew)),
    }),
  );
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const withPassword = await userAuth({
    USERNAME: email,
    PREFERRED_CHALLENGE: 'PASSWORD',
    PASSWORD: password,
  });
  expect(withPassword.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  const challenge = await userAuth({ USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' });
  const signedIn = await respond('EMAIL_OTP', challenge.Session, {
    USERNAME: email,
    EMAIL_OTP_CODE: latestCode(dir, email),
  });
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
});

it('runs USER_AUTH from the back office and lists ALLOW_USER_AUTH on the app client', async () => {
  const email = 'admin-choice@example.com';
  await user(email);
  const signedIn = await admin.send(
    new AdminInitiateAuthCommand({
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: password },
    }),
  );
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
  const { UserPoolClient } = await admin.send(
    new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
  );
  expect(UserPoolClient?.ExplicitAuthFlows).toContain('ALLOW_USER_AUTH');
  const { UserPool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
  expect(UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors).toEqual([
    'PASSWORD',
    'EMAIL_OTP',
    'WEB_AUTHN',
  ]);
});
