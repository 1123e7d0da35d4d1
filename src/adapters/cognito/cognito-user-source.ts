/**
 * Amazon Cognito as the export's source of users: ListUsers, 60 users a page (its most), and
 * GetCSVHeader for the pool's columns. ListUsers does not say whether a user has turned MFA on;
 * the import CSV's `cognito:mfa_enabled` means SMS MFA (the import needs the phone number), so
 * AdminGetUser is asked only about users with a verified phone number.
 */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  GetCSVHeaderCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { PlazaError } from '../../platform/errors.ts';
import type { ExportedUser, UserSource } from '../../ports/user-source.ts';

export function cognitoUserSource(options: {
  userPoolId: string;
  region: string;
  /** An explicit endpoint (Plaza's own pool speaks the same API); AWS's when absent. */
  endpoint?: string;
  client?: Pick<CognitoIdentityProviderClient, 'send'>;
}): UserSource {
  const UserPoolId = options.userPoolId;
  const client =
    options.client ??
    new CognitoIdentityProviderClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });

  const smsMfaEnabled = async (user: UserType, attributes: Record<string, string>) => {
    if (user.MFAOptions?.some((option) => option.DeliveryMedium === 'SMS')) return true;
    if (attributes.phone_number_verified !== 'true' || !user.Username) return false;
    const details = await client.send(new AdminGetUserCommand({ UserPoolId, Username: user.Username }));
    return details.UserMFASettingList?.includes('SMS_MFA') === true;
  };

  const exported = async (user: UserType): Promise<ExportedUser> => {
    const attributes = Object.fromEntries(
      (user.Attributes ?? []).map(({ Name, Value }) => [Name ?? '', Value ?? '']),
    );
    const { sub, email, ...rest } = attributes;
    return {
      // With email as the sign-in alias, a user's username is their sub.
      sub: sub ?? user.Username ?? '',
      email: email ?? '',
      status: user.UserStatus ?? 'UNKNOWN',
      enabled: user.Enabled !== false,
      mfaEnabled: await smsMfaEnabled(user, attributes),
      attributes: rest,
      createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
    };
  };

  return {
    async csvHeader() {
      const { CSVHeader } = await client.send(new GetCSVHeaderCommand({ UserPoolId }));
      if (!CSVHeader?.length)
        throw new PlazaError('InternalFailure', `GetCSVHeader gave no columns for ${UserPoolId}`);
      return CSVHeader;
    },
    async *users() {
      let PaginationToken: string | undefined;
      do {
        const page = await client.send(
          new ListUsersCommand({ UserPoolId, Limit: 60, ...(PaginationToken ? { PaginationToken } : {}) }),
        );
        for (const user of page.Users ?? []) yield await exported(user);
        PaginationToken = page.PaginationToken;
      } while (PaginationToken);
    },
  };
}
