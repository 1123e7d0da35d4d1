/**
 * Conformance to Amazon Cognito's published model (test/identity/model), generated from it:
 *   - every implemented operation refuses inputs that break the model's constraints (a missing
 *     required member, a member of the wrong type, a string over its length, a value outside its
 *     enum) with a 400 and an error the model declares for that operation;
 *   - no input gets a 5xx;
 *   - answers to valid calls have the shape of the operation's output in the model.
 * Requests are sent raw (an SDK would refuse or reshape bad input before sending it), signed
 * with SigV4 as the AWS SDK signs them, so the back-office operations are reached too.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { latestCode } from '../support/outbox.ts';
import { softwareAuthenticator } from '../support/software-authenticator.ts';
import { declaredErrors, departures, model, sample, shape, wrongType } from './cognito-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-conformance-'));
let app: App;
let url: string;
const implemented: string[] = [];

/** The operations CONTRACT.md names: each must exist. */
const contracted = [
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
  'GetUser',
  'UpdateUserAttributes',
  'VerifyUserAttribute',
  'ChangePassword',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'GlobalSignOut',
  'RevokeToken',
  'DeleteUser',
  'AdminCreateUser',
  'AdminGetUser',
  'AdminConfirmSignUp',
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminDeleteUser',
  'AdminUserGlobalSignOut',
  'ListUsers',
  // "passkey registration operations" (second round)
  'StartWebAuthnRegistration',
  'CompleteWebAuthnRegistration',
  'ListWebAuthnCredentials',
  'DeleteWebAuthnCredential',
];

interface Answer {
  status: number;
  type: string | undefined;
  // Answers vary by operation; the checks read them against the model.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function call(operation: string, body: unknown): Promise<Answer> {
  const target = new URL(url);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const signed = await new SignatureV4({
    service: 'cognito-idp',
    region: 'us-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    sha256: Sha256,
  }).sign({
    method: 'POST',
    protocol: 'http:',
    hostname: target.hostname,
    port: Number(target.port),
    path: '/',
    headers: {
      host: target.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${model.metadata.targetPrefix}.${operation}`,
    },
    body: payload,
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body: payload,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  const type = (json as { __type?: string } | undefined)?.__type;
  return { status: response.status, type, json };
}

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  for (const operation of Object.keys(model.operations)) {
    const answer = await call(operation, {});
    if (answer.type !== 'UnknownOperationException') implemented.push(operation);
  }
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A valid-looking input: every required member sampled, and the pool's real ids where asked. */
function base(operation: string): Record<string, unknown> {
  const input = model.operations[operation]?.input;
  if (!input) return {};
  const body = sample(input.shape) as Record<string, unknown>;
  const members = shape(input.shape).members ?? {};
  if ('UserPoolId' in members) body.UserPoolId = app.identity.pool!.userPoolId;
  if ('ClientId' in members) body.ClientId = app.identity.pool!.clientId;
  return body;
}

/** Each case's answer, and what in it breaks the rule: a 5xx, or an error the operation does not declare. */
async function refusals(cases: { operation: string; what: string; body: unknown }[]): Promise<string[]> {
  const failures: string[] = [];
  for (const { operation, what, body } of cases) {
    const answer = await call(operation, body);
    const declared = declaredErrors(operation);
    if (answer.status !== 400 || !answer.type || !declared.has(answer.type))
      failures.push(`${operation} ${what}: ${answer.status} ${answer.type ?? JSON.stringify(answer.json)}`);
  }
  return failures;
}

function members(operation: string): [string, string][] {
  const input = model.operations[operation]?.input;
  if (!input) return [];
  return Object.entries(shape(input.shape).members ?? {}).map(([name, member]) => [name, member.shape]);
}

describe("Cognito's service model", () => {
  it('is implemented for every operation the contract names', () => {
    expect(contracted.filter((operation) => !implemented.includes(operation))).toEqual([]);
  });

  it('refuses a missing required member with a declared error', async () => {
    const cases = implemented.flatMap((operation) => {
      const input = model.operations[operation]?.input;
      const required = input ? (shape(input.shape).required ?? []) : [];
      return required.map((member) => {
        const body = base(operation);
        delete body[member];
        return { operation, what: `without ${member}`, body };
      });
    });
    expect(await refusals(cases)).toEqual([]);
  });

  it('refuses a member of the wrong type with a declared error', async () => {
    const cases = implemented.flatMap((operation) =>
      members(operation).map(([member, memberShape]) => ({
        operation,
        what: `with ${member} of the wrong type`,
        body: { ...base(operation), [member]: wrongType(memberShape) },
      })),
    );
    expect(await refusals(cases)).toEqual([]);
  });

  it('refuses a string over its length, or outside its enum, with a declared error', async () => {
    const cases = implemented.flatMap((operation) =>
      members(operation).flatMap(([member, memberShape]) => {
        const s = shape(memberShape);
        if (s.type !== 'string') return [];
        return [
          ...(s.max !== undefined && s.max < 100_000
            ? [
                {
                  operation,
                  what: `with ${member} of ${s.max + 1} characters`,
                  body: { ...base(operation), [member]: 'a'.repeat(s.max + 1) },
                },
              ]
            : []),
          ...(s.enum
            ? [
                {
                  operation,
                  what: `with ${member} outside its enum`,
                  body: { ...base(operation), [member]: 'NOT_A_VALUE' },
                },
              ]
            : []),
        ];
      }),
    );
    expect(await refusals(cases)).toEqual([]);
  });

  it('refuses an unknown app client or user pool with a declared error', async () => {
    const cases = implemented.flatMap((operation) =>
      members(operation).flatMap(([member]) =>
        member === 'ClientId' || member === 'UserPoolId'
          ? [
              {
                operation,
                what: `with an unknown ${member}`,
                body: {
                  ...base(operation),
                  [member]: member === 'UserPoolId' ? 'us-west-1_Unknown01' : 'unknownclient0000000000000',
                },
              },
            ]
          : [],
      ),
    );
    expect(await refusals(cases)).toEqual([]);
  });

  it('answers a body that is not JSON with SerializationException, and never a 5xx', async () => {
    for (const operation of implemented) {
      for (const body of ['{', '[]', 'null', '"text"', '{"a":']) {
        const answer = await call(operation, body);
        expect({ operation, body, status: answer.status < 500, type: answer.type }).toMatchObject({
          operation,
          body,
          status: true,
          type: expect.any(String),
        });
      }
    }
    expect((await call('SignUp', '{')).type).toBe('SerializationException');
  });

  it('answers valid calls in the shape of their output', async () => {
    const { userPoolId, clientId } = app.identity.pool!;
    const email = 'conformance@example.com';
    const password = 'correct horse battery';
    const answers: [string, Answer][] = [];
    const valid = async (operation: string, body: object) => {
      const answer = await call(operation, body);
      expect({ operation, status: answer.status, json: answer.json }).toMatchObject({
        operation,
        status: 200,
      });
      answers.push([operation, answer]);
      return answer.json;
    };
    await valid('SignUp', {
      ClientId: clientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    });
    await valid('ResendConfirmationCode', { ClientId: clientId, Username: email });
    await valid('ConfirmSignUp', {
      ClientId: clientId,
      Username: email,
      ConfirmationCode: latestCode(dir, email),
    });
    const signedIn = await valid('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    const AccessToken = signedIn.AuthenticationResult.AccessToken as string;
    await valid('GetUser', { AccessToken });
    // Choice-based sign-in: SELECT_CHALLENGE with AvailableChallenges, then EMAIL_OTP.
    const choice = await valid('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email },
    });
    const otp = await valid('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'SELECT_CHALLENGE',
      Session: choice.Session,
      ChallengeResponses: { USERNAME: email, ANSWER: 'EMAIL_OTP' },
    });
    await valid('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'EMAIL_OTP',
      Session: otp.Session,
      ChallengeResponses: { USERNAME: email, EMAIL_OTP_CODE: latestCode(dir, email) },
    });
    // Passkeys: registration, sign-in with WEB_AUTHN, listing and deletion.
    const passkey = softwareAuthenticator();
    const origin = `http://localhost:${new URL(url).port}`;
    const creation = await valid('StartWebAuthnRegistration', { AccessToken });
    await valid('CompleteWebAuthnRegistration', {
      AccessToken,
      Credential: passkey.register(creation.CredentialCreationOptions, origin),
    });
    const webAuthn = await valid('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
    });
    await valid('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'WEB_AUTHN',
      Session: webAuthn.Session,
      ChallengeResponses: {
        USERNAME: email,
        CREDENTIAL: passkey.assert(
          JSON.parse(webAuthn.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS),
          origin,
        ),
      },
    });
    await valid('ListWebAuthnCredentials', { AccessToken, MaxResults: 20 });
    await valid('DeleteWebAuthnCredential', { AccessToken, CredentialId: passkey.credentialId });
    await valid('UpdateUserAttributes', {
      AccessToken,
      UserAttributes: [{ Name: 'name', Value: 'Conformance' }],
    });
    await valid('AssociateSoftwareToken', { AccessToken });
    await valid('GetUserAttributeVerificationCode', { AccessToken, AttributeName: 'email' });
    // SMS MFA: a verified phone number, then SMS_MFA at sign-in.
    const phone = '+14325551212';
    await valid('UpdateUserAttributes', {
      AccessToken,
      UserAttributes: [{ Name: 'phone_number', Value: phone }],
    });
    await valid('GetUserAttributeVerificationCode', { AccessToken, AttributeName: 'phone_number' });
    await valid('VerifyUserAttribute', {
      AccessToken,
      AttributeName: 'phone_number',
      Code: latestCode(dir, phone),
    });
    await valid('SetUserMFAPreference', {
      AccessToken,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    });
    const sms = await valid('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    await valid('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'SMS_MFA',
      Session: sms.Session,
      ChallengeResponses: { USERNAME: email, SMS_MFA_CODE: latestCode(dir, phone) },
    });
    await valid('GetUser', { AccessToken });
    await valid('ForgotPassword', { ClientId: clientId, Username: email });
    await valid('AdminGetUser', { UserPoolId: userPoolId, Username: email });
    await valid('ListUsers', { UserPoolId: userPoolId, Limit: 10 });
    await valid('AdminCreateUser', {
      UserPoolId: userPoolId,
      Username: 'made@example.com',
      UserAttributes: [{ Name: 'email', Value: 'made@example.com' }],
      TemporaryPassword: 'temporary password 1',
      MessageAction: 'SUPPRESS',
    });
    await valid('AdminDisableUser', { UserPoolId: userPoolId, Username: 'made@example.com' });
    await valid('AdminEnableUser', { UserPoolId: userPoolId, Username: 'made@example.com' });
    const made = { UserPoolId: userPoolId, Username: 'made@example.com' };
    await valid('AdminUpdateUserAttributes', { ...made, UserAttributes: [{ Name: 'name', Value: 'Made' }] });
    await valid('AdminDeleteUserAttributes', { ...made, UserAttributeNames: ['name'] });
    await valid('AdminSetUserPassword', { ...made, Password: 'permanent password 1', Permanent: true });
    const adminSignedIn = await valid('AdminInitiateAuth', {
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'made@example.com', PASSWORD: 'permanent password 1' },
    });
    await valid('AdminInitiateAuth', {
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: adminSignedIn.AuthenticationResult.RefreshToken },
    });
    await valid('AdminSetUserPassword', { ...made, Password: 'temporary password 2', Permanent: false });
    const challenged = await valid('AdminInitiateAuth', {
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'made@example.com', PASSWORD: 'temporary password 2' },
    });
    await valid('AdminRespondToAuthChallenge', {
      UserPoolId: userPoolId,
      ClientId: clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: challenged.Session,
      ChallengeResponses: { USERNAME: 'made@example.com', NEW_PASSWORD: 'permanent password 3' },
    });
    await valid('AdminSetUserMFAPreference', { ...made, SoftwareTokenMfaSettings: { Enabled: false } });
    await valid('AdminResetUserPassword', made);
    await valid('DescribeUserPool', { UserPoolId: userPoolId });
    await valid('DescribeUserPoolClient', { UserPoolId: userPoolId, ClientId: clientId });
    await valid('ListUserPools', { MaxResults: 60 });
    await valid('ListUserPoolClients', { UserPoolId: userPoolId, MaxResults: 60 });
    await valid('GetUserPoolMfaConfig', { UserPoolId: userPoolId });
    await valid('SetUserPoolMfaConfig', {
      UserPoolId: userPoolId,
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: {
        SmsAuthenticationMessage: 'Your code is {####}',
        SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/plaza-sms' },
      },
      WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' },
    });
    const group = { UserPoolId: userPoolId, GroupName: 'conformance' };
    await valid('CreateGroup', { ...group, Description: 'Conformance', Precedence: 1 });
    await valid('GetGroup', group);
    await valid('UpdateGroup', { ...group, RoleArn: 'arn:aws:iam::123456789012:role/conformance' });
    await valid('ListGroups', { UserPoolId: userPoolId, Limit: 1 });
    await valid('AdminAddUserToGroup', { ...group, Username: email });
    await valid('AdminListGroupsForUser', { UserPoolId: userPoolId, Username: email, Limit: 10 });
    await valid('ListUsersInGroup', { ...group, Limit: 10 });
    await valid('AdminRemoveUserFromGroup', { ...group, Username: email });
    await valid('DeleteGroup', group);
    await valid('GetCSVHeader', { UserPoolId: userPoolId });
    await valid('AdminListUserAuthEvents', { UserPoolId: userPoolId, Username: email, MaxResults: 10 });
    await valid('RevokeToken', { ClientId: clientId, Token: signedIn.AuthenticationResult.RefreshToken });
    await valid('GlobalSignOut', { AccessToken });
    const problems = answers.flatMap(([operation, answer]) => {
      const output = model.operations[operation]?.output;
      return output ? departures(output.shape, answer.json).map((problem) => `${operation} ${problem}`) : [];
    });
    expect(problems).toEqual([]);
  });
});
