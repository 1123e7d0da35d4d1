/**
 * Plaza with its embedded user pool, as the Cognito API's tests drive it: a fresh data directory,
 * a free port, and AWS SDK clients for the public operations and for the SigV4-signed back office.
 */
import {
  AdminAddUserToGroupCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { adminClient, cognitoClient, signUpAndSignIn, type SignedIn } from './cognito-users.ts';

export interface PoolApp {
  app: App;
  url: string;
  dir: string;
  userPoolId: string;
  clientId: string;
  /** The public operations (no credentials). */
  cognito: CognitoIdentityProviderClient;
  /** The back office, signed with the development admin credentials. */
  admin: CognitoIdentityProviderClient;
  close(): Promise<void>;
}

export async function startPoolApp(
  name: string,
  options: { configFile?: object; overrides?: AppOverrides; env?: Record<string, string> } = {},
): Promise<PoolApp> {
  const dir = mkdtempSync(join(tmpdir(), `plaza-${name}-`));
  if (options.configFile) writeFileSync(join(dir, 'plaza.config.json'), JSON.stringify(options.configFile));
  const app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0', ...options.env }, dir), {
    logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    ...options.overrides,
  });
  const url = await app.listen();
  const cognito = cognitoClient(url);
  const admin = adminClient(url);
  return {
    app,
    url,
    dir,
    userPoolId: app.identity.pool!.userPoolId,
    clientId: app.identity.pool!.clientId,
    cognito,
    admin,
    async close() {
      cognito.destroy();
      admin.destroy();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The error's name a call fails with (Cognito's `__type`), or 'no error'. */
export async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  return 'no error';
}

/**
 * A new user of the pool, signed in; with groups, signed in again after joining them, so the
 * access token names them (`cognito:groups`).
 */
export async function poolUser(
  pool: PoolApp,
  email: string,
  options: { password?: string; groups?: string[] } = {},
): Promise<SignedIn & { email: string; password: string }> {
  const password = options.password ?? 'Correct-Horse-9';
  const signedIn = await signUpAndSignIn(pool.cognito, {
    clientId: pool.clientId,
    dataDir: pool.dir,
    email,
    password,
  });
  const groups = options.groups ?? [];
  if (groups.length === 0) return { ...signedIn, email, password };
  for (const GroupName of groups)
    await pool.admin.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: email, GroupName }),
    );
  const { AuthenticationResult: tokens } = await pool.cognito.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return {
    ...signedIn,
    email,
    password,
    accessToken: tokens!.AccessToken!,
    idToken: tokens!.IdToken!,
    refreshToken: tokens!.RefreshToken!,
  };
}
