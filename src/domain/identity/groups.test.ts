import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminDeleteUser } from './admin-users.ts';
import {
  adminAddUserToGroup,
  adminListGroupsForUser,
  adminRemoveUserFromGroup,
  createGroup,
  deleteGroup,
  ensureGroup,
  getGroup,
  groupsForToken,
  listGroups,
  listUsersInGroup,
  updateGroup,
} from './groups.ts';

let pool: TestPool;
afterEach(() => pool.close());

const names = (groups: { GroupName: string }[]) => groups.map((group) => group.GroupName);

describe('groups', () => {
  it('creates a group once, reads it back, and changes only the settings an update gives', async () => {
    pool = await testPool();
    const { services } = pool;
    const { Group } = await createGroup(
      { GroupName: 'editors', Description: 'Edit', Precedence: 2 },
      services,
    );
    expect(Group).toMatchObject({
      GroupName: 'editors',
      Description: 'Edit',
      Precedence: 2,
      UserPoolId: 'us-west-1_TestPool1',
    });
    await failsWith(createGroup({ GroupName: 'editors' }, services), 'GroupExistsException');
    pool.clock.advance(5000);
    const updated = await updateGroup({ GroupName: 'editors', Precedence: 1 }, services);
    expect(updated.Group).toMatchObject({ Description: 'Edit', Precedence: 1 });
    expect(updated.Group.LastModifiedDate - Group.LastModifiedDate).toBe(5);
    expect((await getGroup({ GroupName: 'editors' }, services)).Group).toEqual(updated.Group);
    await failsWith(
      updateGroup({ GroupName: 'nobody', Precedence: 1 }, services),
      'ResourceNotFoundException',
    );
    await failsWith(getGroup({ GroupName: 'nobody' }, services), 'ResourceNotFoundException');
  });

  it('refuses names and settings outside the model’s constraints', async () => {
    pool = await testPool();
    for (const request of [
      { GroupName: 'has space' },
      { GroupName: 'x'.repeat(129) },
      { GroupName: '' },
      { GroupName: 'ok', Precedence: -1 },
      { GroupName: 'ok', Precedence: 1.5 },
      { GroupName: 'ok', RoleArn: 'not-an-arn' },
      { GroupName: 'ok', Description: 'x'.repeat(2049) },
    ]) {
      await failsWith(createGroup(request, pool.services), 'InvalidParameterException');
    }
    expect((await listGroups({}, pool.services)).Groups).toEqual([]);
  });

  it('ensureGroup makes a missing group and leaves an existing one as it is', async () => {
    pool = await testPool();
    await ensureGroup({ GroupName: 'moderators', Description: 'first' }, pool.services);
    await ensureGroup({ GroupName: 'moderators', Description: 'second' }, pool.services);
    expect((await getGroup({ GroupName: 'moderators' }, pool.services)).Group.Description).toBe('first');
  });

  it('lists groups by name a page at a time, and refuses a bad Limit or NextToken', async () => {
    pool = await testPool();
    for (const name of ['delta', 'alpha', 'echo', 'charlie', 'bravo'])
      await createGroup({ GroupName: name }, pool.services);
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await listGroups({ Limit: 2, ...(NextToken ? { NextToken } : {}) }, pool.services);
      expect(page.Groups.length).toBeLessThanOrEqual(2);
      seen.push(...names(page.Groups));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    await failsWith(listGroups({ Limit: 61 }, pool.services), 'InvalidParameterException');
    await failsWith(listGroups({ NextToken: 'garbage' }, pool.services), 'InvalidParameterException');
  });
});

describe('group memberships', () => {
  it('keeps memberships both ways: a user’s groups and a group’s users, added once, removed once', async () => {
    pool = await testPool();
    const { services } = pool;
    const ada = await pool.user('ada@example.com');
    const lin = await pool.user('lin@example.com');
    await createGroup({ GroupName: 'editors' }, services);
    await createGroup({ GroupName: 'readers' }, services);
    await adminAddUserToGroup({ Username: ada, GroupName: 'editors' }, services);
    await adminAddUserToGroup({ Username: ada, GroupName: 'editors' }, services);
    // The email alias names the user too.
    await adminAddUserToGroup({ Username: 'ada@example.com', GroupName: 'readers' }, services);
    await adminAddUserToGroup({ Username: lin, GroupName: 'editors' }, services);
    expect(names((await adminListGroupsForUser({ Username: ada }, services)).Groups)).toEqual([
      'editors',
      'readers',
    ]);
    const members = (await listUsersInGroup({ GroupName: 'editors' }, services)).Users.map(
      (user) => user.Username,
    );
    expect(members.sort()).toEqual([ada, lin].sort());
    await adminRemoveUserFromGroup({ Username: ada, GroupName: 'editors' }, services);
    await adminRemoveUserFromGroup({ Username: ada, GroupName: 'editors' }, services);
    expect(names((await adminListGroupsForUser({ Username: ada }, services)).Groups)).toEqual(['readers']);
    expect((await listUsersInGroup({ GroupName: 'editors' }, services)).Users.map((u) => u.Username)).toEqual(
      [lin],
    );
    await failsWith(
      adminAddUserToGroup({ Username: 'ghost@example.com', GroupName: 'editors' }, services),
      'UserNotFoundException',
    );
    await failsWith(
      adminAddUserToGroup({ Username: ada, GroupName: 'ghosts' }, services),
      'ResourceNotFoundException',
    );
  });

  it('forgets the members of a deleted group, even when a group of that name is made again', async () => {
    pool = await testPool();
    const { services } = pool;
    const ada = await pool.user('ada@example.com');
    await createGroup({ GroupName: 'editors' }, services);
    await adminAddUserToGroup({ Username: ada, GroupName: 'editors' }, services);
    await deleteGroup({ GroupName: 'editors' }, services);
    await failsWith(deleteGroup({ GroupName: 'editors' }, services), 'ResourceNotFoundException');
    await createGroup({ GroupName: 'editors' }, services);
    expect((await listUsersInGroup({ GroupName: 'editors' }, services)).Users).toEqual([]);
    expect((await adminListGroupsForUser({ Username: ada }, services)).Groups).toEqual([]);
    expect(await groupsForToken(ada, services)).toEqual([]);
  });

  it('gives tokens the user’s groups by precedence, those without one last, by name among equals', async () => {
    pool = await testPool();
    const { services } = pool;
    const ada = await pool.user('ada@example.com');
    for (const [GroupName, Precedence] of [
      ['zeta', 1],
      ['beta', undefined],
      ['alpha', undefined],
      ['mid', 5],
      ['gamma', 1],
    ] as const) {
      await createGroup({ GroupName, ...(Precedence === undefined ? {} : { Precedence }) }, services);
      await adminAddUserToGroup({ Username: ada, GroupName }, services);
    }
    expect((await groupsForToken(ada, services)).map((group) => group.groupName)).toEqual([
      'gamma',
      'zeta',
      'mid',
      'alpha',
      'beta',
    ]);
  });

  it('drops a deleted user from the groups they were in', async () => {
    pool = await testPool();
    const { services } = pool;
    const ada = await pool.user('ada@example.com');
    await createGroup({ GroupName: 'editors' }, services);
    await adminAddUserToGroup({ Username: ada, GroupName: 'editors' }, services);
    await adminDeleteUser({ Username: ada }, services);
    expect((await listUsersInGroup({ GroupName: 'editors' }, services)).Users).toEqual([]);
  });
});
