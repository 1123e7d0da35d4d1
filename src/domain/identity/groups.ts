/**
 * Cognito's user-pool groups (CreateGroup … ListUsersInGroup), for the back
 * office: the edge lets only requests signed with the admin credentials reach
 * them. A group is one item; a membership is two, one in the user's partition
 * and one in the group's, so either side lists with one query. Memberships
 * carry the group's `groupId`: those of a deleted group that was created again
 * under the same name no longer count.
 */
import { getAll, writeAll } from '../../ports/item-store/batch.ts';
import { pages } from '../../ports/item-store/pages.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
import { isPlazaError } from '../../platform/errors.ts';
import { describe, userNamed } from './admin-users.ts';
import {
  fail,
  groupsPartition,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
  afterToken,
} from './model.ts';

export interface GroupRecord {
  groupName: string;
  groupId: string;
  description?: string;
  roleArn?: string;
  precedence?: number;
  createdAt: number;
  lastModified: number;
}

interface GroupInput {
  GroupName: string;
  Description?: string;
  RoleArn?: string;
  Precedence?: number;
}

/** The group the pool always has: the moderation work and the operator console act for its members. */
export const moderatorsGroup = 'moderators';

const groupNamePattern = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const arnPattern =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;

function checkGroupName(name: string): string {
  if (!groupNamePattern.test(name) || [...name].length > 128)
    fail('InvalidParameterException', `Invalid group name: ${name}`);
  return name;
}

/** The members of a group's settings in the request, checked against the model's constraints. */
function settingsOf(request: Omit<GroupInput, 'GroupName'>): Item {
  const settings: Item = {};
  if (request.Description !== undefined) {
    if ([...request.Description].length > 2048)
      fail('InvalidParameterException', 'Description must be at most 2048 characters.');
    settings.description = request.Description;
  }
  if (request.RoleArn !== undefined) {
    if (!arnPattern.test(request.RoleArn)) fail('InvalidParameterException', 'RoleArn is not a valid ARN.');
    settings.roleArn = request.RoleArn;
  }
  if (request.Precedence !== undefined) {
    if (!Number.isSafeInteger(request.Precedence) || request.Precedence < 0)
      fail('InvalidParameterException', 'Precedence must be a non-negative integer.');
    settings.precedence = request.Precedence;
  }
  return settings;
}

function groupType(group: GroupRecord, userPoolId: string) {
  return {
    GroupName: group.groupName,
    UserPoolId: userPoolId,
    ...(group.description === undefined ? {} : { Description: group.description }),
    ...(group.roleArn === undefined ? {} : { RoleArn: group.roleArn }),
    ...(group.precedence === undefined ? {} : { Precedence: group.precedence }),
    LastModifiedDate: group.lastModified / 1000,
    CreationDate: group.createdAt / 1000,
  };
}

async function findGroup(
  name: string,
  { users }: Pick<IdentityServices, 'users'>,
): Promise<GroupRecord | undefined> {
  const { item } = await users.get(userKeys.group(name), { consistent: true });
  return item as unknown as GroupRecord | undefined;
}

async function groupNamed(name: string, services: Pick<IdentityServices, 'users'>): Promise<GroupRecord> {
  const group = await findGroup(checkGroupName(name), services);
  if (!group) fail('ResourceNotFoundException', 'Group not found.');
  return group;
}

async function putGroup(
  request: GroupInput,
  services: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<GroupRecord> {
  const name = checkGroupName(request.GroupName);
  const now = services.clock.now();
  const group = {
    ...settingsOf(request),
    groupName: name,
    groupId: services.ids.uuid(),
    createdAt: now,
    lastModified: now,
  };
  await services.users.put({
    item: { ...userKeys.group(name), GSI1PK: groupsPartition, GSI1SK: name, ...group },
    conditions: [{ op: 'itemNotExists' }],
  });
  return group as unknown as GroupRecord;
}

export async function createGroup(request: GroupInput, services: IdentityServices) {
  try {
    return { Group: groupType(await putGroup(request, services), services.pool.userPoolId) };
  } catch (error) {
    if (isPlazaError(error, 'ConditionalCheckFailedException'))
      fail('GroupExistsException', 'A group with the name already exists.');
    throw error;
  }
}

/** Creates a group unless the pool has it already (the pool's default groups, at every start). */
export async function ensureGroup(
  request: GroupInput,
  services: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<void> {
  await putGroup(request, services).catch((error: unknown) => {
    if (!isPlazaError(error, 'ConditionalCheckFailedException')) throw error;
  });
}

export async function getGroup(request: { GroupName: string }, services: IdentityServices) {
  return { Group: groupType(await groupNamed(request.GroupName, services), services.pool.userPoolId) };
}

/** Only the members given change; the others keep their values. */
export async function updateGroup(request: GroupInput, services: IdentityServices) {
  const name = checkGroupName(request.GroupName);
  const settings = settingsOf(request);
  try {
    const { item } = await services.users.update({
      key: userKeys.group(name),
      set: { ...settings, lastModified: services.clock.now() },
      conditions: [{ op: 'itemExists' }],
    });
    return { Group: groupType(item as unknown as GroupRecord, services.pool.userPoolId) };
  } catch (error) {
    if (isPlazaError(error, 'ConditionalCheckFailedException'))
      fail('ResourceNotFoundException', 'Group not found.');
    throw error;
  }
}

/** Deletes the group, then its memberships (both ways); users stay. */
export async function deleteGroup(request: { GroupName: string }, services: IdentityServices) {
  const group = await groupNamed(request.GroupName, services);
  const { users } = services;
  await users.delete({ key: userKeys.group(group.groupName) });
  for await (const items of pages(users, { partition: userKeys.group(group.groupName).PK, limit: 100 })) {
    await writeAll(
      users,
      items.flatMap((item) => {
        const sub = String(item.sub ?? '');
        if (!String(item.SK).startsWith('USER#')) return [];
        return [
          { delete: userKeys.member(group.groupName, sub) },
          { delete: userKeys.membership(sub, group.groupName) },
        ];
      }),
    );
  }
  return {};
}

export async function adminAddUserToGroup(
  request: { Username: string; GroupName: string },
  services: Pick<IdentityServices, 'users'>,
) {
  const group = await groupNamed(request.GroupName, services);
  const user = await userNamed(request.Username, services);
  const membership = { groupName: group.groupName, groupId: group.groupId, sub: user.sub };
  try {
    await services.users.transactWrite([
      {
        check: userKeys.group(group.groupName),
        conditions: [{ op: '=', attribute: 'groupId', value: group.groupId }],
      },
      { check: userKeys.user(user.sub), conditions: [{ op: 'itemExists' }] },
      { put: { ...userKeys.membership(user.sub, group.groupName), ...membership } },
      { put: { ...userKeys.member(group.groupName, user.sub), ...membership } },
    ]);
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    if ((await findGroup(group.groupName, services))?.groupId !== group.groupId)
      fail('ResourceNotFoundException', 'Group not found.');
    fail('UserNotFoundException', 'User does not exist.');
  }
  return {};
}

export async function adminRemoveUserFromGroup(
  request: { Username: string; GroupName: string },
  services: Pick<IdentityServices, 'users'>,
) {
  const group = await groupNamed(request.GroupName, services);
  const user = await userNamed(request.Username, services);
  await services.users.transactWrite([
    { delete: userKeys.membership(user.sub, group.groupName) },
    { delete: userKeys.member(group.groupName, user.sub) },
  ]);
  return {};
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined || limit === 0) return 60;
  if (!Number.isInteger(limit) || limit < 0 || limit > 60)
    fail('InvalidParameterException', 'Limit must be between 0 and 60');
  return limit;
}

/**
 * One page of a partition's items under a sort-key prefix, after the token's item: a query of one
 * more than the page tells whether a next page exists.
 */
async function pageOf(
  query: { index?: 'GSI1'; partition: string; prefix: string },
  request: { Limit?: number; NextToken?: string },
  { users }: Pick<IdentityServices, 'users'>,
): Promise<{ items: Item[]; next: string | undefined }> {
  const size = pageSize(request.Limit);
  const after = request.NextToken === undefined ? undefined : afterToken.decode(request.NextToken);
  // '$' follows '#': every sort key under a prefix `…#` sorts before `…$`.
  const sortKey =
    query.prefix !== ''
      ? {
          op: 'between' as const,
          low: after === undefined ? query.prefix : `${query.prefix}${after}\u0000`,
          high: `${query.prefix.slice(0, -1)}$`,
        }
      : after === undefined
        ? undefined
        : { op: '>' as const, value: after };
  const { items } = await users.query({
    ...(query.index ? { index: query.index } : { consistent: true }),
    partition: query.partition,
    ...(sortKey ? { sortKey } : {}),
    limit: size + 1,
  });
  const page = items.slice(0, size);
  const last = page.at(-1);
  const lastName = String(query.index ? last?.GSI1SK : last?.SK).slice(query.prefix.length);
  return { items: page, next: items.length > size && last ? afterToken.encode(lastName) : undefined };
}

export async function listGroups(
  request: { Limit?: number; NextToken?: string },
  services: IdentityServices,
) {
  const { items, next } = await pageOf(
    { index: 'GSI1', partition: groupsPartition, prefix: '' },
    request,
    services,
  );
  return {
    Groups: items.map((item) => groupType(item as unknown as GroupRecord, services.pool.userPoolId)),
    ...(next ? { NextToken: next } : {}),
  };
}

/** The current groups of memberships (those of a group deleted meanwhile, or made anew, left out). */
async function groupsOf(memberships: Item[], services: Pick<IdentityServices, 'users'>) {
  const found = await getAll(
    services.users,
    memberships.map((item) => userKeys.group(String(item.groupName))),
    { consistent: true },
  );
  const byName = new Map(found.map((item) => [String(item.groupName), item as unknown as GroupRecord]));
  return memberships.flatMap((item) => {
    const group = byName.get(String(item.groupName));
    return group && group.groupId === item.groupId ? [group] : [];
  });
}

export async function adminListGroupsForUser(
  request: { Username: string; Limit?: number; NextToken?: string },
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  const { items, next } = await pageOf(
    { partition: userKeys.user(user.sub).PK, prefix: 'GROUP#' },
    request,
    services,
  );
  return {
    Groups: (await groupsOf(items, services)).map((group) => groupType(group, services.pool.userPoolId)),
    ...(next ? { NextToken: next } : {}),
  };
}

export async function listUsersInGroup(
  request: { GroupName: string; Limit?: number; NextToken?: string },
  services: IdentityServices,
) {
  const group = await groupNamed(request.GroupName, services);
  const { items, next } = await pageOf(
    { partition: userKeys.group(group.groupName).PK, prefix: 'USER#' },
    request,
    services,
  );
  const current = items.filter((item) => item.groupId === group.groupId);
  const found = await getAll(
    services.users,
    current.map((item) => userKeys.user(String(item.sub))),
    { consistent: true },
  );
  const bySub = new Map(found.map((item) => [String(item.sub), toUserRecord(item)]));
  const members = current.flatMap((item) => {
    const user = bySub.get(String(item.sub));
    return user ? [user] : [];
  });
  return {
    Users: members.map((user: UserRecord) => ({ ...describe(user), MFAOptions: [] })),
    ...(next ? { NextToken: next } : {}),
  };
}

/**
 * The user's groups as Cognito's tokens list them (`cognito:groups`): by precedence, the lowest
 * first, those without one last; and the role of the first group with a role (`cognito:preferred_role`).
 */
export async function groupsForToken(
  sub: string,
  services: Pick<IdentityServices, 'users'>,
): Promise<GroupRecord[]> {
  const memberships: Item[] = [];
  for await (const items of pages(services.users, {
    partition: userKeys.user(sub).PK,
    sortKey: { op: 'beginsWith', value: 'GROUP#' },
    limit: 100,
  })) {
    memberships.push(...items);
  }
  if (memberships.length === 0) return [];
  const rank = (group: GroupRecord) => group.precedence ?? Number.POSITIVE_INFINITY;
  return (await groupsOf(memberships, services)).sort(
    (a, b) => rank(a) - rank(b) || (a.groupName < b.groupName ? -1 : a.groupName > b.groupName ? 1 : 0),
  );
}
