/**
 * Amazon Cognito as the user directory: AdminDeleteUser, which also revokes the user's tokens;
 * AdminDisableUser with AdminUserGlobalSignOut (disabling alone leaves refresh tokens working).
 */
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { PlazaError } from '../../platform/errors.ts';
import type { UserDirectory } from '../../ports/user-directory.ts';

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
  return {
    async deleteUser(userId) {
      try {
        // With email as the sign-in alias, a Cognito user's username is their sub.
        await client.send(new AdminDeleteUserCommand({ UserPoolId: options.userPoolId, Username: userId }));
      } catch (error) {
        if (!(error instanceof UserNotFoundException)) throw error;
      }
    },
    async setEnabled(userId, enabled) {
      const user = { UserPoolId: options.userPoolId, Username: userId };
      try {
        if (enabled) await client.send(new AdminEnableUserCommand(user));
        else {
          await client.send(new AdminDisableUserCommand(user));
          await client.send(new AdminUserGlobalSignOutCommand(user));
        }
      } catch (error) {
        if (error instanceof UserNotFoundException) throw new PlazaError('NotFound', `No user ${userId}`);
        throw error;
      }
    },
  };
}
