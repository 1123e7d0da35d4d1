/**
 * Amazon Cognito (or the embedded pool, through the same API) as the pool a failover refills:
 * AdminCreateUser without a message, then AdminSetUserPassword with a random permanent password,
 * so the user is CONFIRMED and may reset it by code; a FORCE_CHANGE_PASSWORD user could not,
 * and AdminResetUserPassword would mail every user at once, past Cognito's default mail quota.
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  UsernameExistsException,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { PlazaError } from '../../platform/errors.ts';
import type { MigrationPool, PoolUser } from '../../ports/migration-pool.ts';

/** Long and of every class, whatever the pool's password policy asks. */
const unknownPassword = () => `${randomBytes(24).toString('base64url')}aZ7!`;

function poolUser(
  username: string | undefined,
  status: string | undefined,
  attributes: AttributeType[] | undefined,
): PoolUser {
  const sub = attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  if (!sub || !username) throw new PlazaError('InternalFailure', 'The pool answered a user without a sub');
  return { sub, username, status: status ?? 'UNKNOWN' };
}

export function cognitoMigrationPool(options: {
  userPoolId: string;
  region: string;
  /** An explicit endpoint (Plaza's own pool speaks the same API); AWS's when absent. */
  endpoint?: string;
  client?: Pick<CognitoIdentityProviderClient, 'send'>;
}): MigrationPool {
  const UserPoolId = options.userPoolId;
  const client =
    options.client ??
    new CognitoIdentityProviderClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  return {
    async createUser({ email, attributes }) {
      try {
        const { User } = await client.send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: email,
            MessageAction: 'SUPPRESS',
            TemporaryPassword: unknownPassword(),
            UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
          }),
        );
        return { ...poolUser(User?.Username, User?.UserStatus, User?.Attributes), created: true };
      } catch (error) {
        // An attribute this pool does not take skips the user, not the rest of the file.
        if (error instanceof InvalidParameterException) throw new PlazaError('BadInput', error.message);
        if (!(error instanceof UsernameExistsException)) throw error;
      }
      const got = await client.send(new AdminGetUserCommand({ UserPoolId, Username: email }));
      return { ...poolUser(got.Username, got.UserStatus, got.UserAttributes), created: false };
    },
    async finish(user, { smsMfa }) {
      const Username = user.username;
      await client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId,
          Username,
          Password: unknownPassword(),
          Permanent: true,
        }),
      );
      if (smsMfa)
        await client.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId,
            Username,
            SMSMfaSettings: { Enabled: true, PreferredMfa: true },
          }),
        );
    },
  };
}
