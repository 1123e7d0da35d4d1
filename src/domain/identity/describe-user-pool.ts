/**
 * The pool as configured, in Cognito's terms: DescribeUserPool, DescribeUserPoolClient,
 * ListUserPools, ListUserPoolClients. The embedded pool is one pool with one app client
 * (named as the CDK stack names them); its triggers are handler modules, not Lambda functions,
 * so LambdaConfig names each configured trigger with a local ARN (account 000000000000).
 */
import type { HostedUiSettings } from './oauth.ts';
import { temporaryPasswordDays } from './admin-users.ts';
import { fail, requireAppClient, type IdentityServices } from './model.ts';
import { smsMfaConfiguration } from './sms.ts';
import { poolSchema } from './pool-schema.ts';

type Services = Pick<IdentityServices, 'pool' | 'triggers' | 'postConfirmation'>;

const poolName = 'plaza';
const clientName = 'plaza-app';
/** Sign-in challenges' sessions last three minutes (complete-sign-in.ts). */
const authSessionMinutes = 3;

function region({ pool }: Services): string {
  return pool.userPoolId.split('_')[0] ?? '';
}

function lambdaConfig(services: Services) {
  const arn = (name: string) => `arn:aws:lambda:${region(services)}:000000000000:function:plaza-${name}`;
  return {
    ...(services.triggers?.preSignUp ? { PreSignUp: arn('pre-sign-up') } : {}),
    ...(services.postConfirmation ? { PostConfirmation: arn('post-confirmation') } : {}),
    ...(services.triggers?.preTokenGeneration
      ? {
          PreTokenGeneration: arn('pre-token-generation'),
          PreTokenGenerationConfig: { LambdaVersion: 'V1_0', LambdaArn: arn('pre-token-generation') },
        }
      : {}),
  };
}

function checkPool(userPoolId: string, { pool }: Services) {
  if (userPoolId !== pool.userPoolId)
    fail('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
}

export async function describeUserPool(
  request: { UserPoolId: string },
  services: Services & Pick<IdentityServices, 'users'>,
) {
  checkPool(request.UserPoolId, services);
  const { pool } = services;
  const sms = await smsMfaConfiguration(services);
  return {
    UserPool: {
      Id: pool.userPoolId,
      Name: poolName,
      Arn: `arn:aws:cognito-idp:${region(services)}:000000000000:userpool/${pool.userPoolId}`,
      Policies: {
        PasswordPolicy: {
          MinimumLength: pool.passwordMinLength,
          RequireUppercase: false,
          RequireLowercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: temporaryPasswordDays,
        },
        // Choice-based sign-in (USER_AUTH): a password (or SRP), an emailed code or a passkey first.
        SignInPolicy: {
          AllowedFirstAuthFactors: [
            'PASSWORD',
            'EMAIL_OTP',
            ...(pool.webAuthn?.enabled === false ? [] : ['WEB_AUTHN']),
          ],
        },
      },
      DeletionProtection: 'ACTIVE',
      LambdaConfig: lambdaConfig(services),
      SchemaAttributes: poolSchema,
      AutoVerifiedAttributes: ['email'],
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      MfaConfiguration: pool.mfa,
      SmsAuthenticationMessage: sms.SmsAuthenticationMessage,
      ...(sms.SmsConfiguration ? { SmsConfiguration: sms.SmsConfiguration } : {}),
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: false,
        UnusedAccountValidityDays: temporaryPasswordDays,
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Priority: 1, Name: 'verified_email' }] },
    },
  };
}

/** A validity in the largest whole unit Cognito's TokenValidityUnits offers for it. */
function validity(seconds: number, units: readonly ['days' | 'hours' | 'minutes', number][]) {
  for (const [unit, size] of units) if (seconds % size === 0) return { value: seconds / size, unit };
  return { value: seconds, unit: 'seconds' as const };
}

export async function describeUserPoolClient(
  request: { UserPoolId: string; ClientId: string },
  services: Services,
  hosted?: HostedUiSettings,
) {
  checkPool(request.UserPoolId, services);
  const { pool } = services;
  requireAppClient(request.ClientId, pool);
  const access = validity(pool.accessTokenSeconds, [['minutes', 60]]);
  const id = validity(pool.idTokenSeconds, [['minutes', 60]]);
  const refresh = validity(pool.refreshTokenSeconds, [
    ['days', 86_400],
    ['hours', 3600],
    ['minutes', 60],
  ]);
  return {
    UserPoolClient: {
      UserPoolId: pool.userPoolId,
      ClientName: clientName,
      ClientId: pool.clientId,
      AccessTokenValidity: access.value,
      IdTokenValidity: id.value,
      RefreshTokenValidity: refresh.value,
      TokenValidityUnits: { AccessToken: access.unit, IdToken: id.unit, RefreshToken: refresh.unit },
      ExplicitAuthFlows: [
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
        'ALLOW_USER_AUTH',
      ],
      ReadAttributes: poolSchema.map((attribute) => attribute.Name),
      // Verification is the pool's (or an administrator's) to set, never the app's.
      WriteAttributes: poolSchema
        .filter((attribute) => attribute.Mutable && !attribute.Name.endsWith('_verified'))
        .map((attribute) => attribute.Name),
      SupportedIdentityProviders: ['COGNITO', ...(hosted ? hosted.providers.keys() : [])],
      ...(hosted
        ? {
            CallbackURLs: hosted.callbackUrls(),
            LogoutURLs: hosted.logoutUrls(),
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
            AllowedOAuthFlowsUserPoolClient: true,
          }
        : {}),
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AuthSessionValidity: authSessionMinutes,
    },
  };
}

/** One page of at most MaxResults (1–60); the embedded pool is the only one, so there is no next page. */
function onePage(request: { MaxResults?: number; NextToken?: string }) {
  const max = request.MaxResults;
  if (max !== undefined && (max < 1 || max > 60))
    fail('InvalidParameterException', 'MaxResults must be between 1 and 60');
  if (request.NextToken !== undefined) fail('InvalidParameterException', 'Invalid NextToken.');
}

export async function listUserPools(request: { MaxResults: number; NextToken?: string }, services: Services) {
  onePage(request);
  const { pool } = services;
  return { UserPools: [{ Id: pool.userPoolId, Name: poolName, LambdaConfig: lambdaConfig(services) }] };
}

export async function listUserPoolClients(
  request: { UserPoolId: string; MaxResults?: number; NextToken?: string },
  services: Services,
) {
  checkPool(request.UserPoolId, services);
  onePage(request);
  const { pool } = services;
  return {
    UserPoolClients: [{ ClientId: pool.clientId, UserPoolId: pool.userPoolId, ClientName: clientName }],
  };
}
