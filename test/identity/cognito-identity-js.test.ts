/**
 * amazon-cognito-identity-js, the library under Amplify, against the embedded
 * pool: sign-up, confirmation, and SRP sign-in (its default), session and refresh.
 */
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ISignUpResult,
} from 'amazon-cognito-identity-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { latestCode } from '../support/outbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-identity-js-'));
let app: App;
let pool: CognitoUserPool;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  const url = await app.listen();
  pool = new CognitoUserPool({
    UserPoolId: app.identity.pool!.userPoolId,
    ClientId: app.identity.pool!.clientId,
    endpoint: `${url}/`,
  });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

function signIn(email: string, password: string): Promise<CognitoUserSession> {
  const user = new CognitoUser({ Username: email, Pool: pool });
  return new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
}

it('signs up, confirms and signs in with SRP, then refreshes the session', async () => {
  const email = 'grace@example.com';
  const password = 'a long passphrase';
  const signUp = await new Promise<ISignUpResult>((resolve, reject) =>
    pool.signUp(email, password, [], [], (error, result) =>
      error ? reject(error) : resolve(result as ISignUpResult),
    ),
  );
  expect(signUp.userConfirmed).toBe(false);
  const user = new CognitoUser({ Username: email, Pool: pool });
  await new Promise((resolve, reject) =>
    user.confirmRegistration(latestCode(dir, email), false, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );

  const session = await signIn(email, password);
  expect(session.isValid()).toBe(true);
  expect(session.getIdToken().decodePayload().email).toBe(email);
  expect(session.getAccessToken().decodePayload().sub).toBe(signUp.userSub);

  const refreshed = await new Promise<CognitoUserSession>((resolve, reject) =>
    user.refreshSession(session.getRefreshToken(), (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
  expect(refreshed.getAccessToken().getJwtToken()).not.toBe('');

  await expect(signIn(email, 'the wrong passphrase')).rejects.toMatchObject({
    code: 'NotAuthorizedException',
  });
  await expect(signIn('nobody@example.com', password)).rejects.toMatchObject({
    code: 'NotAuthorizedException',
  });
});
