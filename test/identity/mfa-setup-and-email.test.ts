/**
 * A pool that requires MFA (MFA_SETUP at the first sign-in, with the session
 * forms of AssociateSoftwareToken and VerifySoftwareToken), and an email
 * change verified with VerifyUserAttribute, through the AWS SDK client.
 */
import {
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { latestCode } from '../support/outbox.ts';
import { cognitoClient } from '../support/cognito-users.ts';
import { errorName } from '../support/pool-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-mfa-'));
let app: App;
let cognito: CognitoIdentityProviderClient;
let clientId: string;
const password = 'correct horse battery';

beforeAll(async () => {
  writeFileSync(join(dir, 'plaza.config.json'), JSON.stringify({ userPool: { mfa: 'ON' } }));
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  const url = await app.listen();
  clientId = app.identity.pool!.clientId;
  cognito = cognitoClient(url);
});
afterAll(async () => {
  cognito?.destroy();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signUp(email: string) {
  await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password }));
  await cognito.send(
    new ConfirmSignUpCommand({
      ClientId: clientId,
      Username: email,
      ConfirmationCode: latestCode(dir, email),
    }),
  );
}

const signIn = (email: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

it('makes a user set up TOTP before any token when the pool requires MFA', async () => {
  const email = 'mfa@example.com';
  await signUp(email);
  const first = await signIn(email);
  expect(first.ChallengeName).toBe('MFA_SETUP');
  expect(first.AuthenticationResult).toBeUndefined();
  expect(
    await errorName(
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'MFA_SETUP',
          Session: first.Session,
          ChallengeResponses: { USERNAME: email },
        }),
      ),
    ),
  ).toBe('InvalidParameterException');

  const associated = await cognito.send(new AssociateSoftwareTokenCommand({ Session: first.Session }));
  const secret = base32Decode(associated.SecretCode!);
  const now = Date.now();
  expect(
    await errorName(
      cognito.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: '000000' })),
    ),
  ).toBe('EnableSoftwareTokenMFAException');
  const verified = await cognito.send(
    new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totpAt(secret, totpStep(now)) }),
  );
  expect(verified.Status).toBe('SUCCESS');
  const done = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'MFA_SETUP',
      Session: verified.Session,
      ChallengeResponses: { USERNAME: email },
    }),
  );
  expect(done.AuthenticationResult?.AccessToken).toBeDefined();

  // From now on the token is the second factor; a finished setup session cannot be replayed.
  const second = await signIn(email);
  expect(second.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  expect(
    await errorName(
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'MFA_SETUP',
          Session: verified.Session,
          ChallengeResponses: { USERNAME: email },
        }),
      ),
    ),
  ).toBe('NotAuthorizedException');
});

it('moves the sign-in email only after the new address is verified', async () => {
  // Sign in through this pool's MFA first, then change the email.
  const email = 'old@example.com';
  await signUp(email);
  const setup = await signIn(email);
  const { SecretCode, Session } = await cognito.send(
    new AssociateSoftwareTokenCommand({ Session: setup.Session }),
  );
  const secret = base32Decode(SecretCode!);
  const verified = await cognito.send(
    new VerifySoftwareTokenCommand({ Session, UserCode: totpAt(secret, totpStep(Date.now())) }),
  );
  const tokens = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'MFA_SETUP',
      Session: verified.Session,
      ChallengeResponses: { USERNAME: email },
    }),
  );
  const AccessToken = tokens.AuthenticationResult!.AccessToken!;

  await signUp('taken@example.com');
  expect(
    await errorName(
      cognito.send(
        new UpdateUserAttributesCommand({
          AccessToken,
          UserAttributes: [{ Name: 'email', Value: 'taken@example.com' }],
        }),
      ),
    ),
  ).toBe('AliasExistsException');

  const update = await cognito.send(
    new UpdateUserAttributesCommand({
      AccessToken,
      UserAttributes: [{ Name: 'email', Value: 'new@example.com' }],
    }),
  );
  expect(update.CodeDeliveryDetailsList?.[0]).toMatchObject({
    AttributeName: 'email',
    DeliveryMedium: 'EMAIL',
  });
  // Until verified, the old address still signs in and the new one does not.
  expect((await signIn(email)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  expect(await errorName(signIn('new@example.com'))).toBe('NotAuthorizedException');

  expect(
    await errorName(
      cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: '000000' })),
    ),
  ).toBe('CodeMismatchException');
  await cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'email' }));
  await cognito.send(
    new VerifyUserAttributeCommand({
      AccessToken,
      AttributeName: 'email',
      Code: latestCode(dir, 'new@example.com'),
    }),
  );
  const user = await cognito.send(new GetUserCommand({ AccessToken }));
  expect(Object.fromEntries(user.UserAttributes!.map((a) => [a.Name, a.Value]))).toMatchObject({
    email: 'new@example.com',
    email_verified: 'true',
  });
  expect((await signIn('new@example.com')).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  expect(await errorName(signIn(email))).toBe('NotAuthorizedException');
});
