/**
 * The user pool's API at its edges, through the AWS SDK (raw fetch where the
 * SDK cannot send the bad input): revocation in the very millisecond of a
 * sign-out, malformed requests, unknown pools and operations, store errors,
 * and ListUsers' Filter and AttributesToGet.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminConfirmSignUpCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ForgotPasswordCommand,
  ListUsersCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { requestShapes } from '../../src/edge/cognito/request-shapes.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { adminClient, cognitoClient, signUpAndSignIn } from '../support/cognito-users.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-cognito-edge-'));
// Time moves only when a test says so: a token and its revocation can share a millisecond.
const clock = new ManualClock(Date.now());
let app: App;
let url: string;
let cognito: CognitoIdentityProviderClient;
let admin: CognitoIdentityProviderClient;
let clientId: string;
let UserPoolId: string;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
    clock,
  });
  url = await app.listen();
  clientId = app.identity.pool!.clientId;
  UserPoolId = app.identity.pool!.userPoolId;
  cognito = cognitoClient(url);
  admin = adminClient(url);
});
afterAll(async () => {
  cognito?.destroy();
  admin?.destroy();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const { name, message, $metadata } = error as {
      name: string;
      message: string;
      $metadata?: { httpStatusCode?: number };
    };
    return { name, message, status: $metadata?.httpStatusCode };
  }
  return { name: 'no error', message: '' };
}

/** A request the SDK would not send: any target, any body. */
async function raw(operation: string, body: string, contentType = 'application/x-amz-json-1.1') {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body,
  });
  const text = await response.text();
  let json: { __type?: string; message?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON: the assertions on __type say so
  }
  return { status: response.status, ...json };
}

async function me(token: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query: '{ me { id email } }' }),
  });
  return (await response.json()) as { data?: { me: { id: string; email: string } | null } };
}

describe('the user pool API at its edges', () => {
  it('runs the post-confirmation trigger on AdminConfirmSignUp (the user gets a profile)', async () => {
    const email = 'admin-confirmed@example.com';
    const { UserSub } = await cognito.send(
      new SignUpCommand({ ClientId: clientId, Username: email, Password: 'long enough password' }),
    );
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId, Username: email }));
    const user = await admin.send(new AdminGetUserCommand({ UserPoolId, Username: email }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserLastModifiedDate).toBeInstanceOf(Date);
    const profile = await app.stores.main.get({ PK: `USER#${UserSub}`, SK: 'PROFILE' });
    expect(profile.item).toBeDefined();
  });

  it('answers an unknown user pool id with ResourceNotFoundException', async () => {
    for (const send of [
      () =>
        admin.send(new AdminGetUserCommand({ UserPoolId: 'us-west-1_nothere', Username: 'x@example.com' })),
      () => admin.send(new ListUsersCommand({ UserPoolId: 'us-west-1_nothere' })),
      () => admin.send(new AdminConfirmSignUpCommand({ UserPoolId: 'us-west-1_nothere', Username: 'x' })),
    ]) {
      expect(await errorOf(send())).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    }
  });

  it('answers bodies that are not JSON with SerializationException, unknown operations with UnknownOperationException', async () => {
    expect(await raw('SignUp', '{not json')).toMatchObject({ status: 400, __type: 'SerializationException' });
    expect(await raw('SignUp', '[1, 2]')).toMatchObject({ status: 400, __type: 'SerializationException' });
    // Other content types, and a body past the size limit, answer in the same dialect.
    expect(await raw('SignUp', '{', 'application/json')).toMatchObject({
      status: 400,
      __type: 'SerializationException',
    });
    expect(await raw('SignUp', 'text', 'text/plain')).toMatchObject({
      status: 400,
      __type: 'SerializationException',
    });
    expect(await raw('SignUp', 'x'.repeat(2_000_000))).toMatchObject({
      status: 413,
      __type: 'SerializationException',
    });
    expect(await raw('NoSuchOperation', '{}')).toMatchObject({
      status: 400,
      __type: 'UnknownOperationException',
    });
  });

  it('refuses wrongly typed members with InvalidParameterException', async () => {
    const signUp = (members: Record<string, unknown>) =>
      raw(
        'SignUp',
        JSON.stringify({
          ClientId: clientId,
          Username: 'typed@example.com',
          Password: 'long enough',
          ...members,
        }),
      );
    for (const members of [
      { UserAttributes: [null] },
      { UserAttributes: {} },
      { UserAttributes: [{ Name: 'name', Value: 7 }] },
      { Username: { email: 'x' } },
      { ClientMetadata: { a: 1 } },
    ]) {
      const answer = await signUp(members);
      expect(answer).toMatchObject({ status: 400, __type: 'InvalidParameterException' });
      expect(answer.message).toMatch(/validation error/);
    }
    expect(await raw('ListUsers', JSON.stringify({ UserPoolId, Limit: '5' }))).toMatchObject({
      status: 400,
    });
    // Validation of the ForgotPassword and SetUserMFAPreference members.
    expect(
      await errorOf(cognito.send(new ForgotPasswordCommand({ ClientId: clientId } as never))),
    ).toMatchObject({ name: 'InvalidParameterException' });
    expect(
      await raw(
        'SetUserMFAPreference',
        JSON.stringify({ AccessToken: 'x', SoftwareTokenMfaSettings: { Enabled: 'yes' } }),
      ),
    ).toMatchObject({ status: 400, __type: 'InvalidParameterException' });
  });

  it('never answers a malformed request with a 5xx, on any operation', async () => {
    const bodies = [
      '',
      '{',
      'null',
      '"text"',
      '42',
      '[]',
      '{}',
      JSON.stringify({ ClientId: 7, Username: [], AccessToken: {}, UserPoolId: UserPoolId, Limit: 'x' }),
      JSON.stringify({ ClientId: clientId, Username: null, AccessToken: null, UserPoolId: null }),
      JSON.stringify({
        ClientId: clientId,
        UserPoolId,
        Username: 'x@example.com',
        AccessToken: 'not.a.token',
        UserAttributes: [null],
        AuthParameters: [],
        ChallengeResponses: 'x',
        SoftwareTokenMfaSettings: [],
        AttributesToGet: 'email',
        Filter: 'nonsense',
      }),
      JSON.stringify({ __proto__: { ClientId: clientId }, constructor: 'x', toString: 1 }),
    ];
    for (const operation of Object.keys(requestShapes)) {
      for (const body of bodies) {
        const answer = await raw(operation, body);
        // A body that happens to be valid may succeed; a refusal is a 4xx with a __type.
        expect({
          operation,
          body,
          status: answer.status < 500,
          type: answer.status < 300 || typeof answer.__type,
        }).toEqual({
          operation,
          body,
          status: true,
          type: answer.status < 300 || 'string',
        });
      }
    }
  });

  it('signs in a user for the later tests', async () => {
    const user = await signUpAndSignIn(cognito, {
      clientId,
      dataDir: dir,
      email: 'edge@example.com',
      password: 'long enough password',
    });
    expect((await me(user.accessToken)).data?.me?.email).toBe('edge@example.com');
  });

  it('refuses tokens issued in the very millisecond before a revocation, and accepts those issued after it', async () => {
    const email = 'same-ms@example.com';
    let password = 'first long password';
    await signUpAndSignIn(cognito, { clientId, dataDir: dir, email, password });
    const signIn = async () => {
      const { AuthenticationResult } = await cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      return AuthenticationResult!;
    };
    const works = async (tokens: { AccessToken?: string; IdToken?: string; RefreshToken?: string }) => ({
      access: (await errorOf(cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken })))).name,
      id: (await me(tokens.IdToken!)).data?.me?.email === email,
      refresh: (
        await errorOf(
          cognito.send(
            new InitiateAuthCommand({
              ClientId: clientId,
              AuthFlow: 'REFRESH_TOKEN_AUTH',
              AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
            }),
          ),
        )
      ).name,
    });
    const revocations: [string, (accessToken: string) => Promise<unknown>][] = [
      ['GlobalSignOut', (AccessToken) => cognito.send(new GlobalSignOutCommand({ AccessToken }))],
      [
        'AdminUserGlobalSignOut',
        () => admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: email })),
      ],
      [
        'AdminDisableUser',
        async () => {
          await admin.send(new AdminDisableUserCommand({ UserPoolId, Username: email }));
          await admin.send(new AdminEnableUserCommand({ UserPoolId, Username: email }));
        },
      ],
      [
        'ChangePassword',
        async (AccessToken) => {
          const proposed = `${password} again`;
          await cognito.send(
            new ChangePasswordCommand({
              AccessToken,
              PreviousPassword: password,
              ProposedPassword: proposed,
            }),
          );
          password = proposed;
        },
      ],
    ];
    for (const [name, revoke] of revocations) {
      clock.advance(1000);
      // Issued, used (so the verifier caches it), revoked and issued again, all in one millisecond.
      const before = await signIn();
      expect(await works(before)).toEqual({ access: 'no error', id: true, refresh: 'no error' });
      await revoke(before.AccessToken!);
      const after = await signIn();
      expect({ name, ...(await works(before)) }).toEqual({
        name,
        access: 'NotAuthorizedException',
        id: false,
        refresh: 'NotAuthorizedException',
      });
      expect({ name, ...(await works(after)) }).toEqual({
        name,
        access: 'no error',
        id: true,
        refresh: 'no error',
      });
    }
  });

  it('answers TOTP set-up out of order with the errors Cognito declares, never a store error', async () => {
    const user = await signUpAndSignIn(cognito, {
      clientId,
      dataDir: dir,
      email: 'totp-twice@example.com',
      password: 'long enough password',
    });
    const AccessToken = user.accessToken;
    const errors: string[] = [];
    const attempt = async (send: () => Promise<unknown>) => {
      const error = await errorOf(send());
      errors.push(`${error.name} ${error.status ?? ''} ${error.message}`);
      return error;
    };
    // Verifying before any association.
    await attempt(() => cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: '123456' })));
    await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    const secret = base32Decode(SecretCode!);
    clock.advance(60_000);
    const step = totpStep(clock.now());
    await cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpAt(secret, step) }));
    // Verified again (nothing pending), associated again while on, verified with a used code.
    await attempt(() =>
      cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpAt(secret, step) })),
    );
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    await attempt(() => cognito.send(new AssociateSoftwareTokenCommand({ AccessToken })));
    await attempt(() =>
      cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpAt(secret, step) })),
    );
    await attempt(() => cognito.send(new AssociateSoftwareTokenCommand({ AccessToken })));
    await attempt(() =>
      cognito.send(new AssociateSoftwareTokenCommand({ Session: 'no-such-session-in-this-pool' })),
    );
    await attempt(() =>
      cognito.send(new VerifySoftwareTokenCommand({ Session: 'x'.repeat(40), UserCode: '123456' })),
    );
    // A token with a session that is not (or no longer) an MFA_SETUP session.
    await attempt(() =>
      cognito.send(
        new VerifySoftwareTokenCommand({
          AccessToken,
          Session: 'ended-session-of-this-pool',
          UserCode: totpAt(secret, step + 1),
        }),
      ),
    );
    await attempt(() => admin.send(new ListUsersCommand({ UserPoolId, PaginationToken: 'not-a-token' })));
    expect(errors.map((line) => line.split(' ')[0])).toEqual([
      'InvalidParameterException',
      'InvalidParameterException',
      'no',
      'EnableSoftwareTokenMFAException',
      'no',
      'NotAuthorizedException',
      'NotAuthorizedException',
      'NotAuthorizedException',
      'InvalidParameterException',
    ]);
    for (const line of errors)
      expect(line).not.toMatch(/ValidationException|ConditionalCheck|InternalError| 5\d\d /);
  });

  it("filters ListUsers with Cognito's grammar and returns only AttributesToGet", async () => {
    for (const [email, name] of [
      ['filter-ann@example.com', 'Ann Lee'],
      ['filter-anna@example.com', 'Anna Bell'],
      ['filter-bob@example.com', 'Bob "Q" Lee'],
    ] as const) {
      await cognito.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: email,
          Password: 'long enough password',
          UserAttributes: [{ Name: 'name', Value: name }],
        }),
      );
    }
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId, Username: 'filter-bob@example.com' }));
    await admin.send(new AdminDisableUserCommand({ UserPoolId, Username: 'filter-anna@example.com' }));
    const emailsOf = async (Filter: string, Limit?: number) => {
      const emails: string[] = [];
      let PaginationToken: string | undefined;
      do {
        const page = await admin.send(new ListUsersCommand({ UserPoolId, Filter, Limit, PaginationToken }));
        if (Limit !== undefined) expect(page.Users!.length).toBeLessThanOrEqual(Limit);
        emails.push(...page.Users!.map((user) => user.Attributes!.find((a) => a.Name === 'email')!.Value!));
        PaginationToken = page.PaginationToken;
      } while (PaginationToken);
      return emails.sort();
    };
    expect(await emailsOf('email = "filter-ann@example.com"')).toEqual(['filter-ann@example.com']);
    expect(await emailsOf('email = "FILTER-ANN@example.com"')).toEqual(['filter-ann@example.com']);
    expect(await emailsOf('email ^= "filter-ann"')).toEqual([
      'filter-ann@example.com',
      'filter-anna@example.com',
    ]);
    expect(await emailsOf('email ^= "filter-"', 1)).toEqual([
      'filter-ann@example.com',
      'filter-anna@example.com',
      'filter-bob@example.com',
    ]);
    expect(await emailsOf('name = "Bob \\"Q\\" Lee"')).toEqual(['filter-bob@example.com']);
    expect(await emailsOf('status = "disabled"')).toEqual(['filter-anna@example.com']);
    expect(await emailsOf('cognito:user_status = "UNCONFIRMED"')).toEqual(
      expect.arrayContaining(['filter-ann@example.com', 'filter-anna@example.com']),
    );
    expect(await emailsOf('cognito:user_status = "UNCONFIRMED"')).not.toContain('filter-bob@example.com');
    const bob = await admin.send(new AdminGetUserCommand({ UserPoolId, Username: 'filter-bob@example.com' }));
    expect(await emailsOf(`sub = "${bob.Username}"`)).toEqual(['filter-bob@example.com']);
    expect(await emailsOf(`username = "${bob.Username}"`)).toEqual(['filter-bob@example.com']);
    expect(await emailsOf('given_name = "nobody"')).toEqual([]);

    const picked = await admin.send(
      new ListUsersCommand({ UserPoolId, Filter: 'email ^= "filter-"', AttributesToGet: ['email'] }),
    );
    expect(picked.Users).toHaveLength(3);
    for (const user of picked.Users!) expect(user.Attributes!.map((a) => a.Name)).toEqual(['email']);

    for (const Filter of [
      'email = filter',
      'custom:x = "1"',
      'email == "x"',
      'email = "x" and name = "y"',
      'nope ^= "a"',
    ]) {
      expect(await errorOf(admin.send(new ListUsersCommand({ UserPoolId, Filter })))).toMatchObject({
        name: 'InvalidParameterException',
      });
    }
    expect(
      await errorOf(admin.send(new ListUsersCommand({ UserPoolId, AttributesToGet: ['shoe_size'] }))),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });
});
