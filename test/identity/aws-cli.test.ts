/**
 * The AWS CLI against the embedded pool, as an operator drives Amazon Cognito from a shell: the
 * back office's operations (users, attributes, passwords, groups, MFA, the pool's settings, the
 * import header, sign-in history) with `--endpoint-url`, SigV4-signed with the admin credentials.
 * `npm test` installs Debian's awscli (scripts/system-packages.mjs).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';

const run = promisify(execFile);
let server: PoolApp;
let url: string;
let UserPoolId: string;
let ClientId: string;

beforeAll(async () => {
  server = await startPoolApp('aws-cli');
  ({ url, userPoolId: UserPoolId, clientId: ClientId } = server);
});
afterAll(() => server?.close());

/** `aws cognito-idp <operation> …` with JSON out; rejects with the CLI's message on a non-zero exit. */
async function aws(operation: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'aws',
    ['cognito-idp', operation, '--endpoint-url', url, '--region', 'us-west-1', '--output', 'json', ...args],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
      },
    },
  );
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

/** The CLI's error line for a failing call (the service's error code is in it). */
async function awsError(operation: string, ...args: string[]): Promise<string> {
  try {
    await aws(operation, ...args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  return 'no error';
}

const pool = () => ['--user-pool-id', UserPoolId];

/** A user the operator creates with a verified email, no invitation sent: resolves to the username. */
async function createUser(email: string): Promise<string> {
  const created = await aws(
    'admin-create-user',
    ...pool(),
    '--username',
    email,
    '--user-attributes',
    `Name=email,Value=${email}`,
    'Name=email_verified,Value=true',
    '--message-action',
    'SUPPRESS',
  );
  return String((created.User as { Username: string }).Username);
}

describe('the AWS CLI', () => {
  it("reads the pool's settings, client and MFA configuration", async () => {
    const described = await aws('describe-user-pool', ...pool());
    expect((described.UserPool as { Id: string }).Id).toBe(UserPoolId);
    const client = await aws('describe-user-pool-client', ...pool(), '--client-id', ClientId);
    expect((client.UserPoolClient as { ClientId: string }).ClientId).toBe(ClientId);
    const pools = await aws('list-user-pools', '--max-results', '10');
    expect((pools.UserPools as { Id: string }[]).map((p) => p.Id)).toContain(UserPoolId);
    const clients = await aws('list-user-pool-clients', ...pool());
    expect((clients.UserPoolClients as { ClientId: string }[]).map((c) => c.ClientId)).toEqual([ClientId]);
    const mfa = await aws('get-user-pool-mfa-config', ...pool());
    expect(mfa.MfaConfiguration).toMatch(/^(OFF|OPTIONAL|ON)$/);
    const header = await aws('get-csv-header', ...pool());
    expect(header.CSVHeader).toEqual(expect.arrayContaining(['email', 'cognito:username']));
  });

  it('manages a user: creation, attributes, password, sign-in, history, MFA preference, groups', async () => {
    const email = 'operator.made@example.com';
    const username = await createUser(email);
    await aws(
      'admin-set-user-password',
      ...pool(),
      '--username',
      username,
      '--password',
      'correct horse battery',
      '--permanent',
    );
    await aws(
      'admin-update-user-attributes',
      ...pool(),
      '--username',
      username,
      '--user-attributes',
      'Name=name,Value=Operator Made',
    );
    await aws(
      'admin-delete-user-attributes',
      ...pool(),
      '--username',
      username,
      '--user-attribute-names',
      'name',
    );
    const user = await aws('admin-get-user', ...pool(), '--username', username);
    const attributes = user.UserAttributes as { Name: string; Value: string }[];
    expect(attributes.find((a) => a.Name === 'name')).toBeUndefined();
    expect(user.UserStatus).toBe('CONFIRMED');

    const listed = await aws('list-users', ...pool(), '--filter', `email = "${email}"`);
    expect((listed.Users as unknown[]).length).toBe(1);

    const signedIn = await aws(
      'admin-initiate-auth',
      ...pool(),
      '--client-id',
      ClientId,
      '--auth-flow',
      'ADMIN_USER_PASSWORD_AUTH',
      '--auth-parameters',
      `USERNAME=${email},PASSWORD=correct horse battery`,
    );
    expect((signedIn.AuthenticationResult as { AccessToken: string }).AccessToken).toBeTruthy();
    const events = await aws('admin-list-user-auth-events', ...pool(), '--username', username);
    expect((events.AuthEvents as { EventType: string; EventResponse: string }[])[0]).toMatchObject({
      EventType: 'SignIn',
      EventResponse: 'Pass',
    });

    // SMS MFA needs a verified phone number; software-token MFA a registered token: neither here.
    expect(
      await awsError(
        'admin-set-user-mfa-preference',
        ...pool(),
        '--username',
        username,
        '--software-token-mfa-settings',
        'Enabled=true,PreferredMfa=true',
      ),
    ).toContain('InvalidParameterException');

    await aws(
      'create-group',
      ...pool(),
      '--group-name',
      'editors',
      '--description',
      'Editors',
      '--precedence',
      '2',
    );
    await aws('admin-add-user-to-group', ...pool(), '--username', username, '--group-name', 'editors');
    const inGroup = await aws('list-users-in-group', ...pool(), '--group-name', 'editors');
    expect((inGroup.Users as { Username: string }[]).map((u) => u.Username)).toEqual([username]);
    const groups = await aws('admin-list-groups-for-user', ...pool(), '--username', username);
    expect((groups.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toEqual(['editors']);
    await aws('admin-remove-user-from-group', ...pool(), '--username', username, '--group-name', 'editors');
    await aws('delete-group', ...pool(), '--group-name', 'editors');
    expect(await awsError('get-group', ...pool(), '--group-name', 'editors')).toContain(
      'ResourceNotFoundException',
    );

    await aws('admin-reset-user-password', ...pool(), '--username', username);
    expect((await aws('admin-get-user', ...pool(), '--username', username)).UserStatus).toBe(
      'RESET_REQUIRED',
    );
  });

  it('signs in by choice (USER_AUTH), and sets up SMS MFA with its message', async () => {
    const email = 'operator.choice@example.com';
    const phone = '+14325551313';
    const username = await createUser(email);
    await aws(
      'admin-update-user-attributes',
      ...pool(),
      '--username',
      username,
      '--user-attributes',
      `Name=phone_number,Value=${phone}`,
      'Name=phone_number_verified,Value=true',
    );
    const signIn = ['admin-initiate-auth', ...pool(), '--client-id', ClientId, '--auth-flow', 'USER_AUTH'];
    await aws(
      'admin-set-user-password',
      ...pool(),
      '--username',
      username,
      '--password',
      'a passphrase',
      '--permanent',
    );
    const choice = await aws(...(signIn as [string, ...string[]]), '--auth-parameters', `USERNAME=${email}`);
    expect(choice).toMatchObject({
      ChallengeName: 'SELECT_CHALLENGE',
      AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP'],
    });
    const signedIn = await aws(
      ...(signIn as [string, ...string[]]),
      '--auth-parameters',
      `USERNAME=${email},PREFERRED_CHALLENGE=PASSWORD,PASSWORD=a passphrase`,
    );
    expect((signedIn.AuthenticationResult as { AccessToken: string }).AccessToken).toBeTruthy();

    const config = await aws(
      'set-user-pool-mfa-config',
      ...pool(),
      '--sms-mfa-configuration',
      'SmsAuthenticationMessage="Your Plaza code: {####}"',
    );
    expect(config.SmsMfaConfiguration).toMatchObject({ SmsAuthenticationMessage: 'Your Plaza code: {####}' });
    await aws(
      'admin-set-user-mfa-preference',
      ...pool(),
      '--username',
      username,
      '--sms-mfa-settings',
      'Enabled=true,PreferredMfa=true',
    );
    expect((await aws('admin-get-user', ...pool(), '--username', username)).PreferredMfaSetting).toBe(
      'SMS_MFA',
    );
    const challenged = await aws(
      ...(signIn as [string, ...string[]]),
      '--auth-parameters',
      `USERNAME=${email},PREFERRED_CHALLENGE=PASSWORD,PASSWORD=a passphrase`,
    );
    expect(challenged.ChallengeName).toBe('SMS_MFA');
  });

  it("answers the service's errors by name, never a 5xx", async () => {
    expect(await awsError('admin-get-user', '--user-pool-id', 'us-west-1_Nope', '--username', 'x')).toContain(
      'ResourceNotFoundException',
    );
    expect(await awsError('admin-get-user', ...pool(), '--username', 'nobody@example.com')).toContain(
      'UserNotFoundException',
    );
    expect(await awsError('create-group', ...pool(), '--group-name', 'moderators')).toContain(
      'GroupExistsException',
    );
  });
});
