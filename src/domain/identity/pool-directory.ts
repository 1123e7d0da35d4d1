/**
 * The embedded pool as the user directory: deleteMyAccount and `plaza users delete` remove users,
 * moderators suspend them, the operator console looks them up and manages their sessions and groups.
 * The pool's own back-office operations do the work, so the console and Admin* mean the same.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { DirectoryUser, UserDirectory } from '../../ports/user-directory.ts';
import { userNamed } from './admin-users.ts';
import { adminAddUserToGroup, adminRemoveUserFromGroup, groupsForToken } from './groups.ts';
import {
  revokeSessions,
  setUserEnabled,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import { removeUser } from './remove-user.ts';

const notFoundCodes = [
  'UserNotFoundException',
  'ResourceNotFoundException',
  'ConditionalCheckFailedException',
] as const;

/** The pool's "no such user or group" as the directory's NotFound. */
async function orNotFound<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (notFoundCodes.some((code) => isPlazaError(error, code)))
      throw new PlazaError('NotFound', `No ${what}`);
    throw error;
  }
}

function directoryUser(user: UserRecord): DirectoryUser {
  return {
    sub: user.sub,
    username: user.username ?? user.sub,
    email: user.email,
    enabled: user.enabled,
    status: user.status,
    createdAt: user.createdAt,
  };
}

export function poolDirectory(
  services: Pick<IdentityServices, 'users' | 'clock' | 'onUserDeleted'>,
): UserDirectory {
  const member = (userId: string, group: string) => ({ Username: userId, GroupName: group });
  return {
    async deleteUser(userId) {
      const { item } = await services.users.get(userKeys.user(userId), { consistent: true });
      if (item) await removeUser(toUserRecord(item), services);
    },
    setEnabled: (userId, enabled) =>
      orNotFound(`user ${userId}`, () => setUserEnabled(userId, enabled, services)),
    async findUser(nameOrEmail) {
      try {
        return directoryUser(await userNamed(nameOrEmail.trim(), services));
      } catch (error) {
        if (isPlazaError(error, 'UserNotFoundException')) return undefined;
        throw error;
      }
    },
    signOutEverywhere: (userId) => orNotFound(`user ${userId}`, () => revokeSessions(userId, services)),
    listGroups: (userId) =>
      orNotFound(`user ${userId}`, async () => {
        const user = await userNamed(userId, services);
        return (await groupsForToken(user.sub, services)).map((group) => group.groupName);
      }),
    addToGroup: (userId, group) =>
      orNotFound(`user ${userId} or group ${group}`, async () => {
        await adminAddUserToGroup(member(userId, group), services);
      }),
    removeFromGroup: (userId, group) =>
      orNotFound(`user ${userId} or group ${group}`, async () => {
        await adminRemoveUserFromGroup(member(userId, group), services);
      }),
  };
}
