/**
 * The embedded pool's groups through the real AWS SDK client, as a back office drives Amazon
 * Cognito's: groups made, read, listed, changed and deleted; users added, listed and removed;
 * `cognito:groups` in the tokens of the next sign-in; Cognito's errors.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/app.ts';
import { ensureGroup } from '../../src/domain/identity/groups.ts';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { errorName, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
let app: App;
let cognito: CognitoIdentityProviderClient;
let admin: CognitoIdentityProviderClient;
let UserPoolId: string;
let clientId: string;
const password = 'correct horse battery';

beforeAll(async () => {
  pool = await startPoolApp('groups');
  ({ app, cognito, admin, userPoolId: UserPoolId, clientId } = pool);
});
afterAll(() => pool?.close());

async function signIn(email: string) {
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return {
    access: decodeJwt(AuthenticationResult!.AccessToken!),
    id: decodeJwt(AuthenticationResult!.IdToken!),
  };
}

const groupNames = async (Username: string) =>
  ((await admin.send(new AdminListGroupsForUserCommand({ UserPoolId, Username }))).Groups ?? []).map(
    (group) => group.GroupName,
  );

describe('user-pool groups with the AWS SDK', () => {
  it('has a moderators group from the start', async () => {
    const { Group } = await admin.send(new GetGroupCommand({ UserPoolId, GroupName: 'moderators' }));
    expect(Group).toMatchObject({ GroupName: 'moderators', UserPoolId });
    expect(Group?.CreationDate).toBeInstanceOf(Date);
    // Made at every start unless there: a second time changes nothing.
    await ensureGroup({ GroupName: 'moderators' }, {
      users: app.stores.users,
      clock: { now: () => Date.now() + 60_000 },
      ids: { uuid: () => 'another-id', secret: () => 'unused' },
    } as never);
    expect((await admin.send(new GetGroupCommand({ UserPoolId, GroupName: 'moderators' }))).Group).toEqual(
      Group,
    );
  });

  it('creates, reads, lists, updates and deletes groups', async () => {
    const created = await admin.send(
      new CreateGroupCommand({
        UserPoolId,
        GroupName: 'editors',
        Description: 'Edit things',
        Precedence: 5,
        RoleArn: 'arn:aws:iam::123456789012:role/editors',
      }),
    );
    expect(created.Group).toMatchObject({
      GroupName: 'editors',
      UserPoolId,
      Description: 'Edit things',
      Precedence: 5,
      RoleArn: 'arn:aws:iam::123456789012:role/editors',
    });
    expect(created.Group?.LastModifiedDate?.getTime()).toBe(created.Group?.CreationDate?.getTime());
    expect(await errorName(admin.send(new CreateGroupCommand({ UserPoolId, GroupName: 'editors' })))).toBe(
      'GroupExistsException',
    );

    const updated = await admin.send(
      new UpdateGroupCommand({ UserPoolId, GroupName: 'editors', Description: 'Edit more', Precedence: 2 }),
    );
    expect(updated.Group).toMatchObject({
      Description: 'Edit more',
      Precedence: 2,
      RoleArn: 'arn:aws:iam::123456789012:role/editors',
    });
    expect((await admin.send(new GetGroupCommand({ UserPoolId, GroupName: 'editors' }))).Group).toMatchObject(
      { Description: 'Edit more', Precedence: 2 },
    );

    for (const name of ['g1', 'g2', 'g3'])
      await admin.send(new CreateGroupCommand({ UserPoolId, GroupName: name }));
    const listed: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await admin.send(new ListGroupsCommand({ UserPoolId, Limit: 2, NextToken }));
      expect(page.Groups!.length).toBeLessThanOrEqual(2);
      listed.push(...page.Groups!.map((group) => group.GroupName!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(listed).toEqual(['editors', 'g1', 'g2', 'g3', 'moderators']);

    await admin.send(new DeleteGroupCommand({ UserPoolId, GroupName: 'g3' }));
    expect(await errorName(admin.send(new GetGroupCommand({ UserPoolId, GroupName: 'g3' })))).toBe(
      'ResourceNotFoundException',
    );
    expect(await errorName(admin.send(new DeleteGroupCommand({ UserPoolId, GroupName: 'g3' })))).toBe(
      'ResourceNotFoundException',
    );
    expect(
      await errorName(admin.send(new UpdateGroupCommand({ UserPoolId, GroupName: 'g3', Precedence: 1 }))),
    ).toBe('ResourceNotFoundException');
    expect(await errorName(admin.send(new CreateGroupCommand({ UserPoolId, GroupName: 'has space' })))).toBe(
      'InvalidParameterException',
    );
    expect(
      await errorName(
        admin.send(
          new CreateGroupCommand({ UserPoolId, GroupName: 'bad-role', RoleArn: 'not an arn at all!!' }),
        ),
      ),
    ).toBe('InvalidParameterException');
    expect(
      await errorName(
        admin.send(new CreateGroupCommand({ UserPoolId: 'us-west-1_Nope0001', GroupName: 'x' })),
      ),
    ).toBe('ResourceNotFoundException');
    const unsigned = cognito.send(new ListGroupsCommand({ UserPoolId }));
    expect(await errorName(unsigned)).toBe('NotAuthorizedException');
  });

  it('adds users to groups, lists both ways, and puts cognito:groups in the tokens by precedence', async () => {
    const ada = await signUpAndSignIn(cognito, {
      clientId,
      dataDir: pool.dir,
      email: 'ada@example.com',
      password,
    });
    const bob = await signUpAndSignIn(cognito, {
      clientId,
      dataDir: pool.dir,
      email: 'bob@example.com',
      password,
    });
    expect(decodeJwt(ada.accessToken)['cognito:groups']).toBeUndefined();
    expect(decodeJwt(ada.idToken)['cognito:groups']).toBeUndefined();

    await admin.send(new CreateGroupCommand({ UserPoolId, GroupName: 'first', Precedence: 0 }));
    // By email alias and by username (the sub), as Cognito's pools with email sign-in take both.
    await admin.send(
      new AdminAddUserToGroupCommand({ UserPoolId, Username: 'ada@example.com', GroupName: 'moderators' }),
    );
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: ada.sub, GroupName: 'editors' }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: ada.sub, GroupName: 'first' }));
    // Adding again changes nothing.
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: ada.sub, GroupName: 'first' }));
    await admin.send(
      new AdminAddUserToGroupCommand({ UserPoolId, Username: bob.sub, GroupName: 'moderators' }),
    );

    expect(await groupNames(ada.sub)).toEqual(['editors', 'first', 'moderators']);
    const members = await admin.send(
      new ListUsersInGroupCommand({ UserPoolId, GroupName: 'moderators', Limit: 1 }),
    );
    expect(members.Users).toHaveLength(1);
    expect(members.NextToken).toBeDefined();
    const rest = await admin.send(
      new ListUsersInGroupCommand({ UserPoolId, GroupName: 'moderators', NextToken: members.NextToken }),
    );
    expect(rest.NextToken).toBeUndefined();
    expect([...members.Users!, ...rest.Users!].map((user) => user.Username).sort()).toEqual(
      [ada.sub, bob.sub].sort(),
    );
    expect(rest.Users![0]).toMatchObject({ Enabled: true, UserStatus: 'CONFIRMED' });

    // Precedence 0 (first), then 2 (editors), then none (moderators).
    const tokens = await signIn('ada@example.com');
    expect(tokens.access['cognito:groups']).toEqual(['first', 'editors', 'moderators']);
    expect(tokens.id['cognito:groups']).toEqual(['first', 'editors', 'moderators']);
    expect(tokens.id['cognito:roles']).toEqual(['arn:aws:iam::123456789012:role/editors']);
    expect(tokens.id['cognito:preferred_role']).toBe('arn:aws:iam::123456789012:role/editors');
    expect(tokens.access['cognito:roles']).toBeUndefined();

    await admin.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: ada.sub, GroupName: 'first' }),
    );
    expect(await groupNames(ada.sub)).toEqual(['editors', 'moderators']);
    expect((await signIn('ada@example.com')).access['cognito:groups']).toEqual(['editors', 'moderators']);

    // Deleting a group takes its memberships with it; made again, it starts empty.
    await admin.send(new DeleteGroupCommand({ UserPoolId, GroupName: 'editors' }));
    expect(await groupNames(ada.sub)).toEqual(['moderators']);
    await admin.send(new CreateGroupCommand({ UserPoolId, GroupName: 'editors' }));
    expect(
      (await admin.send(new ListUsersInGroupCommand({ UserPoolId, GroupName: 'editors' }))).Users,
    ).toEqual([]);

    // Deleting a user takes theirs.
    await admin.send(new AdminDeleteUserCommand({ UserPoolId, Username: bob.sub }));
    const moderators = await admin.send(new ListUsersInGroupCommand({ UserPoolId, GroupName: 'moderators' }));
    expect(moderators.Users!.map((user) => user.Username)).toEqual([ada.sub]);
    const left = await app.stores.users.query({ partition: 'GROUP#moderators' });
    expect(left.items.map((item) => item.SK).sort()).toEqual(['GROUP', `USER#${ada.sub}`]);
  });

  it('answers unknown users and groups with their Cognito errors', async () => {
    const add = (Username: string, GroupName: string) =>
      errorName(admin.send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName })));
    expect(await add('nobody@example.com', 'moderators')).toBe('UserNotFoundException');
    expect(await add('ada@example.com', 'no-such-group')).toBe('ResourceNotFoundException');
    expect(
      await errorName(
        admin.send(
          new AdminRemoveUserFromGroupCommand({
            UserPoolId,
            Username: 'nobody@example.com',
            GroupName: 'moderators',
          }),
        ),
      ),
    ).toBe('UserNotFoundException');
    expect(
      await errorName(
        admin.send(new AdminListGroupsForUserCommand({ UserPoolId, Username: 'nobody@example.com' })),
      ),
    ).toBe('UserNotFoundException');
    expect(
      await errorName(admin.send(new ListUsersInGroupCommand({ UserPoolId, GroupName: 'no-such-group' }))),
    ).toBe('ResourceNotFoundException');
    expect(await errorName(admin.send(new ListGroupsCommand({ UserPoolId, NextToken: 'not-a-token' })))).toBe(
      'InvalidParameterException',
    );
  });
});
