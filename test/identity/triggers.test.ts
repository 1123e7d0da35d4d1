/**
 * Cognito triggers as handler modules named in plaza.config.json: pre sign-up
 * rejects or auto-confirms, pre token generation adds and suppresses claims
 * but cannot touch the protected ones. The modules are plain Lambda handlers.
 */
import {
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { keys } from '../../src/domain/social/keys.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { adminClient, cognitoClient } from '../support/cognito-users.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-triggers-'));
let app: App;
let cognito: CognitoIdentityProviderClient;
let clientId: string;
let url: string;
const password = 'correct horse battery';

beforeAll(async () => {
  writeFileSync(
    join(dir, 'pre-sign-up.mjs'),
    `export async function handler(event) {
      const email = event.request.userAttributes.email;
      if (email.endsWith('@blocked.example')) throw new Error('Sign-ups from this domain are closed');
      if (email.endsWith('@trusted.example')) {
        event.response.autoConfirmUser = true;
        event.response.autoVerifyEmail = true;
      }
      return event;
    }`,
  );
  writeFileSync(
    join(dir, 'pre-token.mjs'),
    `export const handler = async (event) => {
      const { groupsToOverride } = event.request.groupConfiguration;
      event.response.claimsOverrideDetails = {
        claimsToAddOrOverride: {
          'plaza:tier': 'gold',
          'plaza:groups-seen': groupsToOverride.join(' '),
          sub: 'someone-else',
          iss: 'https://evil.example',
        },
        claimsToSuppress: ['name', 'email'],
        ...(groupsToOverride.includes('editors')
          ? { groupOverrideDetails: { groupsToOverride: [...groupsToOverride, 'from-trigger'] } }
          : {}),
      };
      return event;
    };`,
  );
  writeFileSync(
    join(dir, 'plaza.config.json'),
    JSON.stringify({
      userPool: { triggers: { preSignUp: 'pre-sign-up.mjs', preTokenGeneration: 'pre-token.mjs' } },
    }),
  );
  app = await createApp(loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0' }, dir), {
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

it('lets pre sign-up refuse a sign-up with its own message', async () => {
  const error = await cognito
    .send(new SignUpCommand({ ClientId: clientId, Username: 'eve@blocked.example', Password: password }))
    .catch((e: Error) => e);
  expect(error).toMatchObject({
    name: 'UserLambdaValidationException',
    message: 'PreSignUp failed with error Sign-ups from this domain are closed.',
  });
});

it('lets pre sign-up confirm at once, and pre token generation shape the ID token', async () => {
  const signedUp = await cognito.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: 'ada@trusted.example',
      Password: password,
      UserAttributes: [{ Name: 'name', Value: 'Ada' }],
    }),
  );
  expect(signedUp.UserConfirmed).toBe(true);
  const { item } = await app.stores.main.get(keys.profile(signedUp.UserSub!));
  expect(item).toBeDefined();

  const signedIn = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'ada@trusted.example', PASSWORD: password },
    }),
  );
  const claims = decodeJwt(signedIn.AuthenticationResult!.IdToken!);
  expect(claims).toMatchObject({ 'plaza:tier': 'gold', sub: signedUp.UserSub, email: 'ada@trusted.example' });
  expect(claims.iss).not.toBe('https://evil.example');
  expect(claims.name).toBeUndefined();
  expect(claims['cognito:groups']).toBeUndefined();

  // The trigger sees the user's groups, and the groups it gives are both tokens' cognito:groups.
  const admin = adminClient(url);
  const UserPoolId = app.identity.pool!.userPoolId;
  await admin.send(new CreateGroupCommand({ UserPoolId, GroupName: 'editors' }));
  await admin.send(
    new AdminAddUserToGroupCommand({ UserPoolId, Username: 'ada@trusted.example', GroupName: 'editors' }),
  );
  admin.destroy();
  const again = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'ada@trusted.example', PASSWORD: password },
    }),
  );
  const id = decodeJwt(again.AuthenticationResult!.IdToken!);
  const access = decodeJwt(again.AuthenticationResult!.AccessToken!);
  expect(id['plaza:groups-seen']).toBe('editors');
  expect(id['cognito:groups']).toEqual(['editors', 'from-trigger']);
  expect(access['cognito:groups']).toEqual(['editors', 'from-trigger']);
});

it('refuses to start with a trigger that is missing or has no handler', async () => {
  writeFileSync(join(dir, 'no-handler.mjs'), 'export const notAHandler = 1;');
  for (const [file, message] of [
    ['missing.mjs', /Cannot load the trigger/],
    ['no-handler.mjs', /exports no handler function/],
  ] as const) {
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ userPool: { triggers: { preSignUp: file } } }),
    );
    await expect(
      createApp(loadConfig({ DATA_DIR: join(dir, `data-${file}`), PORT: '0' }, dir), {
        logger: createLogger({ level: 'silent' }),
      }),
    ).rejects.toThrow(message);
  }
});
