/**
 * Amazon Cognito as the user directory: AdminDeleteUser, which also revokes the user's tokens;
 * AdminDisableUser with AdminUserGlobalSignOut (disabling alone leaves refresh tokens working);
 * AdminGetUser and ListUsers to look users up; the group operations for memberships.
 */
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ResourceNotFoundException,
  UserNotFoundException,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { PlazaError } from '../../platform/errors.ts';
import type { DirectoryUser, UserDirectory } from '../../ports/user-directory.ts';

const subPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cognito's "no such user or group" as the directory's NotFound. */
async function orNotFound<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserNotFoundException || error instanceof ResourceNotFoundException)
      throw new PlazaError('NotFound', `No ${what}`);
    throw error;
  }
}

function directoryUser(user: {
  Username?: string | undefined;
  Enabled?: boolean | undefined;
  UserStatus?: string | undefined;
  UserCreateDate?: Date | undefined;
  attributes: AttributeType[] | undefined;
}): DirectoryUser {
  const attribute = (name: string) => user.attributes?.find((entry) => entry.Name === name)?.Value;
  const username = user.Username ?? '';
  return {
    sub: attribute('sub') ?? username,
    username,
    email: attribute('email'),
    enabled: user.Enabled ?? true,
    status: user.UserStatus ?? 'UNKNOWN',
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
  };
}

export function cognitoUserDirectory(options: {
  userPoolId: string;
  region: string;
  /** An explicit endpoint (Plaza's own pool speaks the same API); AWS's when absent. */
  endpoint?: string;
  client?: Pick<CognitoIdentityProviderClient, 'send'>;
}): UserDirectory {
  const client =
    options.client ??
    new CognitoIdentityProviderClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  const UserPoolId = options.userPoolId;
  // With email as the sign-in alias, a Cognito user's username is their sub.
  const user = (Username: string) => ({ UserPoolId, Username });
  return {
    async deleteUser(userId) {
      try {
        await client.send(new AdminDeleteUserCommand(user(userId)));
      } catch (error) {
        if (!(error instanceof UserNotFoundException)) throw error;
      }
    },
    setEnabled: (userId, enabled) =>
      orNotFound(`user ${userId}`, async () => {
        if (enabled) await client.send(new AdminEnableUserCommand(user(userId)));
        else {
          await client.send(new AdminDisableUserCommand(user(userId)));
          await client.send(new AdminUserGlobalSignOutCommand(user(userId)));
        }
      }),
    async findUser(nameOrEmail) {
      const name = nameOrEmail.trim();
      try {
        const got = await client.send(new AdminGetUserCommand(user(name)));
        return directoryUser({ ...got, attributes: got.UserAttributes });
      } catch (error) {
        if (!(error instanceof UserNotFoundException)) throw error;
      }
      // A pool whose usernames are not emails still finds a user by email or sub, through ListUsers.
      const attribute = name.includes('@') ? 'email' : subPattern.test(name) ? 'sub' : undefined;
      if (!attribute) return undefined;
      const listed = await client.send(
        new ListUsersCommand({ UserPoolId, Filter: `${attribute} = ${JSON.stringify(name)}`, Limit: 1 }),
      );
      const found = listed.Users?.[0];
      return found ? directoryUser({ ...found, attributes: found.Attributes }) : undefined;
    },
    signOutEverywhere: (userId) =>
      orNotFound(`user ${userId}`, async () => {
        await client.send(new AdminUserGlobalSignOutCommand(user(userId)));
      }),
    listGroups: (userId) =>
      orNotFound(`user ${userId}`, async () => {
        const names: string[] = [];
        let NextToken: string | undefined;
        do {
          const page = await client.send(
            new AdminListGroupsForUserCommand({ ...user(userId), ...(NextToken ? { NextToken } : {}) }),
          );
          names.push(...(page.Groups ?? []).flatMap((group) => (group.GroupName ? [group.GroupName] : [])));
          NextToken = page.NextToken;
        } while (NextToken);
        return names;
      }),
    addToGroup: (userId, GroupName) =>
      orNotFound(`user ${userId} or group ${GroupName}`, async () => {
        await client.send(new AdminAddUserToGroupCommand({ ...user(userId), GroupName }));
      }),
    removeFromGroup: (userId, GroupName) =>
      orNotFound(`user ${userId} or group ${GroupName}`, async () => {
        await client.send(new AdminRemoveUserFromGroupCommand({ ...user(userId), GroupName }));
      }),
  };
}
