/**
 * The members of each user-pool operation's request, with their types, as
 * Cognito's API model declares them. The edge checks every request against its
 * operation's shape before the operation runs, so a wrongly typed member is a
 * 400 InvalidParameterException, as on AWS, and never reaches the domain.
 * Members a shape does not name are ignored, as AWS ignores them.
 */
import { PlazaError } from '../../platform/errors.ts';

type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  /** A list of `{ Name, Value }` (AttributeListType). */
  | 'attributes'
  /** A map of strings to strings (ClientMetadata, AuthParameters, …). */
  | 'map'
  | 'strings'
  | { [member: string]: Shape };

/** A member's shape; `required` members must be present. */
interface Member {
  shape: Shape;
  required?: boolean;
}

const required = (shape: Shape): Member => ({ shape, required: true });
const optional = (shape: Shape): Member => ({ shape });

const common = {
  ClientMetadata: optional('map'),
  AnalyticsMetadata: optional({ AnalyticsEndpointId: 'string' }),
  UserContextData: optional({ IpAddress: 'string', EncodedData: 'string' }),
  SecretHash: optional('string'),
};
const mfaSettings = optional({ Enabled: 'boolean', PreferredMfa: 'boolean' });
const adminUser = { UserPoolId: required('string'), Username: required('string') };
const contextData = optional({
  IpAddress: 'string',
  ServerName: 'string',
  ServerPath: 'string',
  EncodedData: 'string',
});
const group = { UserPoolId: required('string'), GroupName: required('string') };
const groupSettings = {
  ...group,
  Description: optional('string'),
  RoleArn: optional('string'),
  Precedence: optional('integer'),
};
const page = { Limit: optional('integer'), NextToken: optional('string') };

export const requestShapes: Record<string, Record<string, Member>> = {
  SignUp: {
    ...common,
    ClientId: required('string'),
    Username: required('string'),
    Password: optional('string'),
    UserAttributes: optional('attributes'),
    ValidationData: optional('attributes'),
  },
  ConfirmSignUp: {
    ...common,
    ClientId: required('string'),
    Username: required('string'),
    ConfirmationCode: required('string'),
    ForceAliasCreation: optional('boolean'),
    Session: optional('string'),
  },
  ResendConfirmationCode: { ...common, ClientId: required('string'), Username: required('string') },
  InitiateAuth: {
    ...common,
    AuthFlow: required('string'),
    AuthParameters: optional('map'),
    ClientId: required('string'),
    Session: optional('string'),
  },
  RespondToAuthChallenge: {
    ...common,
    ClientId: required('string'),
    ChallengeName: required('string'),
    Session: optional('string'),
    ChallengeResponses: optional('map'),
  },
  GetUser: { AccessToken: required('string') },
  GlobalSignOut: { AccessToken: required('string') },
  ForgotPassword: { ...common, ClientId: required('string'), Username: required('string') },
  ConfirmForgotPassword: {
    ...common,
    ClientId: required('string'),
    Username: required('string'),
    ConfirmationCode: required('string'),
    Password: required('string'),
  },
  ChangePassword: {
    AccessToken: required('string'),
    PreviousPassword: optional('string'),
    ProposedPassword: required('string'),
  },
  RevokeToken: { Token: required('string'), ClientId: required('string'), ClientSecret: optional('string') },
  DeleteUser: { AccessToken: required('string') },
  AssociateSoftwareToken: { AccessToken: optional('string'), Session: optional('string') },
  VerifySoftwareToken: {
    AccessToken: optional('string'),
    Session: optional('string'),
    UserCode: required('string'),
    FriendlyDeviceName: optional('string'),
  },
  SetUserMFAPreference: {
    AccessToken: required('string'),
    SMSMfaSettings: mfaSettings,
    SoftwareTokenMfaSettings: mfaSettings,
    EmailMfaSettings: mfaSettings,
  },
  UpdateUserAttributes: {
    AccessToken: required('string'),
    UserAttributes: required('attributes'),
    ClientMetadata: optional('map'),
  },
  VerifyUserAttribute: {
    AccessToken: required('string'),
    AttributeName: required('string'),
    Code: required('string'),
  },
  GetUserAttributeVerificationCode: {
    AccessToken: required('string'),
    AttributeName: required('string'),
    ClientMetadata: optional('map'),
  },
  StartWebAuthnRegistration: { AccessToken: required('string') },
  CompleteWebAuthnRegistration: {
    AccessToken: required('string'),
    // A Document in the model: the browser's PublicKeyCredential.toJSON(), checked by the operation.
    Credential: required({
      id: 'string',
      rawId: 'string',
      type: 'string',
      authenticatorAttachment: 'string',
    }),
  },
  ListWebAuthnCredentials: {
    AccessToken: required('string'),
    MaxResults: optional('integer'),
    NextToken: optional('string'),
  },
  DeleteWebAuthnCredential: { AccessToken: required('string'), CredentialId: required('string') },
  AdminCreateUser: {
    ...adminUser,
    UserAttributes: optional('attributes'),
    ValidationData: optional('attributes'),
    TemporaryPassword: optional('string'),
    ForceAliasCreation: optional('boolean'),
    MessageAction: optional('string'),
    DesiredDeliveryMediums: optional('strings'),
    ClientMetadata: optional('map'),
  },
  AdminGetUser: adminUser,
  AdminConfirmSignUp: { ...adminUser, ClientMetadata: optional('map') },
  AdminDisableUser: adminUser,
  AdminEnableUser: adminUser,
  AdminDeleteUser: adminUser,
  AdminUserGlobalSignOut: adminUser,
  AdminUpdateUserAttributes: {
    ...adminUser,
    UserAttributes: required('attributes'),
    ClientMetadata: optional('map'),
  },
  AdminDeleteUserAttributes: { ...adminUser, UserAttributeNames: required('strings') },
  AdminSetUserPassword: { ...adminUser, Password: required('string'), Permanent: optional('boolean') },
  AdminResetUserPassword: { ...adminUser, ClientMetadata: optional('map') },
  AdminInitiateAuth: {
    UserPoolId: required('string'),
    ClientId: required('string'),
    AuthFlow: required('string'),
    AuthParameters: optional('map'),
    ClientMetadata: optional('map'),
    AnalyticsMetadata: common.AnalyticsMetadata,
    ContextData: contextData,
    Session: optional('string'),
  },
  AdminRespondToAuthChallenge: {
    UserPoolId: required('string'),
    ClientId: required('string'),
    ChallengeName: required('string'),
    ChallengeResponses: optional('map'),
    Session: optional('string'),
    AnalyticsMetadata: common.AnalyticsMetadata,
    ContextData: contextData,
    ClientMetadata: optional('map'),
  },
  AdminSetUserMFAPreference: {
    ...adminUser,
    SMSMfaSettings: mfaSettings,
    SoftwareTokenMfaSettings: mfaSettings,
    EmailMfaSettings: mfaSettings,
    WebAuthnMfaSettings: optional({ Enabled: 'boolean' }),
  },
  DescribeUserPool: { UserPoolId: required('string') },
  DescribeUserPoolClient: { UserPoolId: required('string'), ClientId: required('string') },
  ListUserPools: { MaxResults: required('integer'), NextToken: optional('string') },
  ListUserPoolClients: {
    UserPoolId: required('string'),
    MaxResults: optional('integer'),
    NextToken: optional('string'),
  },
  GetUserPoolMfaConfig: { UserPoolId: required('string') },
  SetUserPoolMfaConfig: {
    UserPoolId: required('string'),
    SmsMfaConfiguration: optional({
      SmsAuthenticationMessage: 'string',
      SmsConfiguration: { SnsCallerArn: 'string', ExternalId: 'string', SnsRegion: 'string' },
    }),
    SoftwareTokenMfaConfiguration: optional({ Enabled: 'boolean' }),
    EmailMfaConfiguration: optional({ Message: 'string', Subject: 'string' }),
    MfaConfiguration: optional('string'),
    WebAuthnConfiguration: optional({
      RelyingPartyId: 'string',
      UserVerification: 'string',
      FactorConfiguration: 'string',
    }),
  },
  ListUsers: {
    UserPoolId: required('string'),
    AttributesToGet: optional('strings'),
    Limit: optional('integer'),
    PaginationToken: optional('string'),
    Filter: optional('string'),
  },
  CreateGroup: groupSettings,
  GetGroup: group,
  ListGroups: { UserPoolId: required('string'), ...page },
  UpdateGroup: groupSettings,
  DeleteGroup: group,
  AdminAddUserToGroup: { ...adminUser, GroupName: required('string') },
  AdminRemoveUserFromGroup: { ...adminUser, GroupName: required('string') },
  AdminListGroupsForUser: { ...adminUser, ...page },
  ListUsersInGroup: { ...group, ...page },
  GetCSVHeader: { UserPoolId: required('string') },
  AdminListUserAuthEvents: { ...adminUser, MaxResults: optional('integer'), NextToken: optional('string') },
};

const describeShape = (shape: Shape): string =>
  typeof shape === 'object'
    ? 'a structure'
    : {
        string: 'a string',
        integer: 'an integer',
        boolean: 'a boolean',
        attributes: 'a list of { Name, Value } attributes',
        map: 'a map of strings to strings',
        strings: 'a list of strings',
      }[shape];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a value has its shape (null members of a structure count as absent, as AWS's JSON does). */
function fits(value: unknown, shape: Shape): boolean {
  if (typeof shape === 'object')
    return (
      isObject(value) &&
      Object.entries(shape).every(
        ([name, member]) => value[name] === undefined || value[name] === null || fits(value[name], member),
      )
    );
  switch (shape) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'map':
      return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
    case 'attributes':
      return (
        Array.isArray(value) &&
        value.every(
          (item) =>
            isObject(item) &&
            typeof item.Name === 'string' &&
            (item.Value === undefined || typeof item.Value === 'string'),
        )
      );
  }
}

/**
 * Checks a request against its operation's shape: InvalidParameterException,
 * in Cognito's wording, for a missing required member or a wrongly typed one.
 * Null members count as absent: the request comes back without them.
 */
export function checkRequest(operation: string, body: Record<string, unknown>): Record<string, unknown> {
  const request = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
  const shape = requestShapes[operation];
  if (!shape) return request;
  for (const [name, member] of Object.entries(shape)) {
    const value = request[name];
    if (value === undefined) {
      if (member.required)
        throw new PlazaError(
          'InvalidParameterException',
          `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
        );
      continue;
    }
    if (!fits(value, member.shape))
      throw new PlazaError(
        'InvalidParameterException',
        `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must be ${describeShape(member.shape)}`,
      );
    const length = lengths[name];
    if (typeof value === 'string' && length) checkLength(name, value, length);
  }
  return request;
}

/**
 * The model's length limits of string members, by member name (the same name has the same
 * limits in every operation): AWS refuses a value outside them before the operation runs.
 */
const lengths: Record<string, { min?: number; max?: number }> = {
  ClientId: { min: 1, max: 128 },
  SecretHash: { min: 1, max: 128 },
  Username: { min: 1, max: 128 },
  Password: { max: 256 },
  PreviousPassword: { max: 256 },
  ProposedPassword: { max: 256 },
  TemporaryPassword: { max: 256 },
  ConfirmationCode: { min: 1, max: 2048 },
  Code: { min: 1, max: 2048 },
  Session: { min: 20, max: 2048 },
  ClientSecret: { min: 24, max: 64 },
  UserCode: { min: 6, max: 6 },
  FriendlyDeviceName: { max: 131_072 },
  AttributeName: { min: 1, max: 32 },
  UserPoolId: { min: 1, max: 55 },
  PaginationToken: { min: 1 },
  Filter: { max: 256 },
  GroupName: { min: 1, max: 128 },
  Description: { max: 2048 },
  RoleArn: { min: 20, max: 2048 },
  NextToken: { min: 1, max: 131_072 },
};

function checkLength(name: string, value: string, { min, max }: { min?: number; max?: number }): void {
  const length = [...value].length;
  const bound =
    min !== undefined && length < min
      ? `greater than or equal to ${min}`
      : max !== undefined && length > max
        ? `less than or equal to ${max}`
        : undefined;
  if (bound)
    throw new PlazaError(
      'InvalidParameterException',
      `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must have length ${bound}`,
    );
}
