/**
 * SMS MFA and the pool's MFA configuration through the AWS SDK: phone_number and its verification by
 * a texted code (channel `sms` in the outbox and the dev mailbox), SMS_MFA at sign-in, preferences
 * (SetUserMFAPreference, AdminSetUserMFAPreference) as GetUser and AdminGetUser report them, the SMS
 * message SetUserPoolMfaConfig sets; and pool MFA OFF (no challenges, nothing to turn on) and ON
 * (SMS to a verified phone for a user who turned nothing on), by restarting on the same data.
 */
import {
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { adminClient, cognitoClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { latestCode } from '../support/outbox.ts';
import { errorName } from '../support/pool-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-sms-mfa-'));
let app: App;
let url: string;
let cognito: CognitoIdentityProviderClient;
let admin: CognitoIdentityProviderClient;
let clientId: string;
let userPoolId: string;
const password = 'correct horse battery';

/** (Re)starts the server on the same data with the pool's MFA as given. */
async function start(mfa: 'OFF' | 'OPTIONAL' | 'ON') {
  cognito?.destroy();
  admin?.destroy();
  await app?.close();
  writeFileSync(join(dir, 'plaza.config.json'), JSON.stringify({ userPool: { mfa } }));
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  ({ clientId, userPoolId } = app.identity.pool!);
  cognito = cognitoClient(url);
  admin = adminClient(url);
}

beforeAll(() => start('OPTIONAL'));
afterAll(async () => {
  cognito?.destroy();
  admin?.destroy();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const signIn = (email: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

const answerSms = (Session: string | undefined, email: string, code: string) =>
  cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'SMS_MFA',
      Session,
      ChallengeResponses: { USERNAME: email, SMS_MFA_CODE: code },
    }),
  );

/** The newest outbox message to `to`, as written (with its channel). */
function lastMessage(to: string): { channel: string; text: string; purpose: string } {
  const outbox = join(dir, 'outbox');
  const messages = readdirSync(outbox)
    .sort()
    .map((name) => JSON.parse(readFileSync(join(outbox, name), 'utf8')) as { to: string })
    .filter((message) => message.to === to);
  return messages.pop() as never;
}

/** A user with a verified phone number, signed in. */
async function withVerifiedPhone(email: string, phone: string) {
  const { accessToken } = await signUpAndSignIn(cognito, { clientId, dataDir: dir, email, password });
  await cognito.send(
    new UpdateUserAttributesCommand({
      AccessToken: accessToken,
      UserAttributes: [{ Name: 'phone_number', Value: phone }],
    }),
  );
  const sent = await cognito.send(
    new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName: 'phone_number' }),
  );
  expect(sent.CodeDeliveryDetails).toEqual({
    Destination: `+${'*'.repeat(phone.length - 5)}${phone.slice(-4)}`,
    DeliveryMedium: 'SMS',
    AttributeName: 'phone_number',
  });
  expect(lastMessage(phone)).toMatchObject({ channel: 'sms' });
  await cognito.send(
    new VerifyUserAttributeCommand({
      AccessToken: accessToken,
      AttributeName: 'phone_number',
      Code: latestCode(dir, phone),
    }),
  );
  return accessToken;
}

const attributes = async (accessToken: string) =>
  Object.fromEntries(
    ((await cognito.send(new GetUserCommand({ AccessToken: accessToken }))).UserAttributes ?? []).map((a) => [
      a.Name,
      a.Value,
    ]),
  );

it('verifies a phone number by a texted code, and refuses a malformed one', async () => {
  const email = 'phone@example.com';
  const { accessToken } = await signUpAndSignIn(cognito, { clientId, dataDir: dir, email, password });
  expect(
    await errorName(
      cognito.send(
        new UpdateUserAttributesCommand({
          AccessToken: accessToken,
          UserAttributes: [{ Name: 'phone_number', Value: '555-1212' }],
        }),
      ),
    ),
  ).toBe('InvalidParameterException');
  await cognito.send(
    new UpdateUserAttributesCommand({
      AccessToken: accessToken,
      UserAttributes: [{ Name: 'phone_number', Value: '+14325551212' }],
    }),
  );
  expect(await attributes(accessToken)).toMatchObject({
    phone_number: '+14325551212',
    phone_number_verified: 'false',
  });
  // SMS MFA needs a verified number.
  expect(
    await errorName(
      cognito.send(
        new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SMSMfaSettings: { Enabled: true } }),
      ),
    ),
  ).toBe('InvalidParameterException');
  await cognito.send(
    new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName: 'phone_number' }),
  );
  expect(
    await errorName(
      cognito.send(
        new VerifyUserAttributeCommand({
          AccessToken: accessToken,
          AttributeName: 'phone_number',
          Code: '000000',
        }),
      ),
    ),
  ).toMatch(/CodeMismatchException|ExpiredCodeException/);
  await cognito.send(
    new VerifyUserAttributeCommand({
      AccessToken: accessToken,
      AttributeName: 'phone_number',
      Code: latestCode(dir, '+14325551212'),
    }),
  );
  expect(await attributes(accessToken)).toMatchObject({ phone_number_verified: 'true' });
  // The dev mailbox shows the text message as such.
  const { messages } = (await (await fetch(`${url}/dev/outbox?to=%2B14325551212`)).json()) as {
    messages: { channel: string }[];
  };
  expect(messages[0]?.channel).toBe('sms');
});

it('asks for a texted code at sign-in once SMS MFA is on, each code once', async () => {
  const email = 'sms@example.com';
  const phone = '+14325550001';
  const accessToken = await withVerifiedPhone(email, phone);
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const user = await cognito.send(new GetUserCommand({ AccessToken: accessToken }));
  expect(user.UserMFASettingList).toEqual(['SMS_MFA']);
  expect(user.PreferredMfaSetting).toBe('SMS_MFA');

  const challenge = await signIn(email);
  expect(challenge.ChallengeName).toBe('SMS_MFA');
  expect(challenge.AuthenticationResult).toBeUndefined();
  expect(challenge.ChallengeParameters).toMatchObject({
    CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
    CODE_DELIVERY_DESTINATION: '+*******0001',
  });
  const sms = lastMessage(phone);
  expect(sms).toMatchObject({ channel: 'sms', purpose: 'mfa' });
  const code = latestCode(dir, phone);
  expect(code).toMatch(/^\d{6}$/);
  const wrong = code === '000000' ? '111111' : '000000';
  expect(await errorName(answerSms(challenge.Session, email, wrong))).toBe('CodeMismatchException');
  const signedIn = await answerSms(challenge.Session, email, code);
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
  expect(await errorName(answerSms(challenge.Session, email, code))).toBe('NotAuthorizedException');
});

it('texts codes in the message SetUserPoolMfaConfig sets, and reports it', async () => {
  const email = 'sms-message@example.com';
  const phone = '+14325550002';
  const accessToken = await withVerifiedPhone(email, phone);
  await cognito.send(
    new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SMSMfaSettings: { Enabled: true } }),
  );
  expect(
    await errorName(
      admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: userPoolId,
          SmsMfaConfiguration: { SmsAuthenticationMessage: 'No code here' },
        }),
      ),
    ),
  ).toBe('InvalidParameterException');
  const sns = { SnsCallerArn: 'arn:aws:iam::123456789012:role/plaza-sms', ExternalId: 'plaza' };
  const set = await admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Plaza code: {####}', SmsConfiguration: sns },
    }),
  );
  expect(set.SmsMfaConfiguration).toEqual({
    SmsAuthenticationMessage: 'Plaza code: {####}',
    SmsConfiguration: sns,
  });
  const got = await admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: userPoolId }));
  expect(got).toMatchObject({
    MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
    SmsMfaConfiguration: { SmsAuthenticationMessage: 'Plaza code: {####}' },
  });
  const { UserPool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
  expect(UserPool).toMatchObject({
    MfaConfiguration: 'OPTIONAL',
    SmsAuthenticationMessage: 'Plaza code: {####}',
    SmsConfiguration: sns,
  });
  await signIn(email);
  expect(lastMessage(phone).text).toMatch(/^Plaza code: \d{6}$/);
});

it('sets SMS MFA from the back office, and turns it off when the number changes', async () => {
  const email = 'sms-admin@example.com';
  const phone = '+14325550003';
  const accessToken = await withVerifiedPhone(email, phone);
  await admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: userPoolId,
      Username: email,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const described = await admin.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
  expect(described.UserMFASettingList).toEqual(['SMS_MFA']);
  expect(described.PreferredMfaSetting).toBe('SMS_MFA');
  expect((await signIn(email)).ChallengeName).toBe('SMS_MFA');

  await cognito.send(
    new UpdateUserAttributesCommand({
      AccessToken: accessToken,
      UserAttributes: [{ Name: 'phone_number', Value: '+14325559999' }],
    }),
  );
  expect(await attributes(accessToken)).toMatchObject({ phone_number_verified: 'false' });
  expect((await cognito.send(new GetUserCommand({ AccessToken: accessToken }))).UserMFASettingList).toEqual(
    [],
  );
  expect((await signIn(email)).AuthenticationResult?.AccessToken).toBeTruthy();

  // An administrator's number, given as verified, is verified.
  await admin.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: userPoolId,
      Username: email,
      UserAttributes: [
        { Name: 'phone_number', Value: '+14325550004' },
        { Name: 'phone_number_verified', Value: 'true' },
      ],
    }),
  );
  expect(await attributes(accessToken)).toMatchObject({
    phone_number: '+14325550004',
    phone_number_verified: 'true',
  });
});

it('asks for the preferred of two methods', async () => {
  const email = 'sms-totp@example.com';
  const accessToken = await withVerifiedPhone(email, '+14325550005');
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  await cognito.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: totpAt(base32Decode(SecretCode!), totpStep(Date.now())),
    }),
  );
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true },
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  expect((await signIn(email)).ChallengeName).toBe('SMS_MFA');
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  expect((await signIn(email)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  const user = await cognito.send(new GetUserCommand({ AccessToken: accessToken }));
  expect(user.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA', 'SMS_MFA']);
  expect(user.PreferredMfaSetting).toBe('SOFTWARE_TOKEN_MFA');
});

it('verifies a phone and signs in with SMS MFA through amazon-cognito-identity-js', async () => {
  const email = 'sms-identity-js@example.com';
  const phone = '+14325550008';
  await signUpAndSignIn(cognito, { clientId, dataDir: dir, email, password });
  const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint: `${url}/` });
  const user = new CognitoUser({ Username: email, Pool: pool });
  // Each step fails the test if the library ends in a callback other than the one expected.
  const srpSignIn = (callbacks: { onSuccess?: () => void; mfaRequired?: (name: string) => void }) =>
    new Promise<void>((resolve, reject) =>
      user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
        onSuccess: () => (callbacks.onSuccess ? resolve() : reject(new Error('signed in without MFA'))),
        onFailure: reject,
        mfaRequired: (name) =>
          callbacks.mfaRequired ? resolve(callbacks.mfaRequired(name)) : reject(new Error(name)),
      }),
    );
  await srpSignIn({ onSuccess: () => undefined });
  await new Promise((resolve, reject) =>
    user.updateAttributes([{ Name: 'phone_number', Value: phone }], (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
  await new Promise((resolve, reject) =>
    user.getAttributeVerificationCode('phone_number', { onSuccess: resolve, onFailure: reject }),
  );
  await new Promise((resolve, reject) =>
    user.verifyAttribute('phone_number', latestCode(dir, phone), { onSuccess: resolve, onFailure: reject }),
  );
  await new Promise((resolve, reject) =>
    user.setUserMfaPreference({ Enabled: true, PreferredMfa: true }, null, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
  let challenge = '';
  await srpSignIn({ mfaRequired: (name) => void (challenge = name) });
  expect(challenge).toBe('SMS_MFA');
  const session = await new Promise<CognitoUserSession>((resolve, reject) =>
    user.sendMFACode(latestCode(dir, phone), { onSuccess: resolve, onFailure: reject }),
  );
  expect(session.isValid()).toBe(true);
});

it('asks for no MFA when the pool turns it OFF, and lets nobody turn it on', async () => {
  const email = 'mfa-off@example.com';
  const accessToken = await withVerifiedPhone(email, '+14325550006');
  await cognito.send(
    new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SMSMfaSettings: { Enabled: true } }),
  );
  expect((await signIn(email)).ChallengeName).toBe('SMS_MFA');
  await start('OFF');
  const signedIn = await signIn(email);
  expect(signedIn.ChallengeName).toBeUndefined();
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
  expect(
    await errorName(
      cognito.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: signedIn.AuthenticationResult!.AccessToken!,
          SMSMfaSettings: { Enabled: true },
        }),
      ),
    ),
  ).toBe('InvalidParameterException');
  const config = await admin.send(new GetUserPoolMfaConfigCommand({ UserPoolId: userPoolId }));
  expect(config.MfaConfiguration).toBe('OFF');
  expect(config.SmsMfaConfiguration).toBeUndefined();
  const outputs = (await (await fetch(`${url}/amplify_outputs.json`)).json()) as {
    auth: { mfa_configuration: string; mfa_methods: string[] };
  };
  expect(outputs.auth).toMatchObject({ mfa_configuration: 'NONE', mfa_methods: [] });
});

it('requires MFA when the pool turns it ON: a text to a verified phone, else MFA_SETUP', async () => {
  await start('OPTIONAL');
  const email = 'mfa-on@example.com';
  await withVerifiedPhone(email, '+14325550007');
  await signUpAndSignIn(cognito, { clientId, dataDir: dir, email: 'no-phone@example.com', password });
  await start('ON');
  const challenge = await signIn(email);
  expect(challenge.ChallengeName).toBe('SMS_MFA');
  const signedIn = await answerSms(challenge.Session, email, latestCode(dir, '+14325550007'));
  expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
  expect((await signIn('no-phone@example.com')).ChallengeName).toBe('MFA_SETUP');
});
