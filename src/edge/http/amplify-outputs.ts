/**
 * The client configuration in the shape Amplify Gen 2 reads (`amplify_outputs.json`), built once for
 * both columns: the local server serves it at GET /amplify_outputs.json, and the CDK app writes it as
 * its `AmplifyOutputs` stack output (values there are CloudFormation references, filled at deploy).
 */

export interface AmplifyOutputsInput {
  region: string;
  pool:
    | {
        userPoolId: string;
        clientId: string;
        passwordMinLength: number;
        mfa: 'OFF' | 'OPTIONAL' | 'ON';
        /** A user-pool endpoint other than Amazon Cognito's regional one (the local server's). */
        endpoint?: string;
        oauth?: HostedUiOutputs | undefined;
      }
    | undefined;
  /** The identity pool, when there is one: Amplify's fetchAuthSession gets AWS credentials from it. */
  identityPool: { id: string; allowGuests: boolean } | undefined;
  data: { url: string; apiKey: string | undefined };
  bucketName: string;
  /** The media bucket's S3 API, when not Amazon S3's (the local server's). */
  s3Endpoint?: string;
  /** Where the operator console's /admin API is, when not beside the web app (a function URL on AWS). */
  operatorApiUrl?: string;
}

/** The hosted UI as the app client allows it. */
export interface HostedUiOutputs {
  /** The hosted UI's host name (Amplify prefixes `https://`). */
  domain: string;
  scopes: string[];
  callbackUrls: string[];
  logoutUrls: string[];
  /** The providers' names as Cognito knows them (`Google`, `SignInWithApple`, a SAML provider's name). */
  providers: string[];
}

/**
 * Amplify's names for Cognito's built-in social providers; it configures its own `providers` from
 * these and ignores others, which are listed by their Cognito names for apps to offer
 * (`signInWithRedirect({ provider: { custom: name } })`).
 */
const amplifyProviderNames: Record<string, string> = {
  Google: 'GOOGLE',
  Facebook: 'FACEBOOK',
  SignInWithApple: 'SIGN_IN_WITH_APPLE',
  LoginWithAmazon: 'LOGIN_WITH_AMAZON',
};

export function amplifyOAuthOutputs(hostedUi: HostedUiOutputs) {
  return {
    domain: hostedUi.domain,
    scopes: hostedUi.scopes,
    redirect_sign_in_uri: hostedUi.callbackUrls,
    redirect_sign_out_uri: hostedUi.logoutUrls,
    response_type: 'code',
    identity_providers: hostedUi.providers.map((name) => amplifyProviderNames[name] ?? name),
  };
}

/**
 * Amplify Gen 2's access rules for the bucket, as the identity pool's role policies grant them
 * (domain/identity-pools/policies.ts): guests read `public/`, identities write it and their own
 * `protected/` and `private/` folders, and read everyone's `protected/`.
 */
const storagePaths = {
  'public/*': { guest: ['get', 'list'], authenticated: ['get', 'list', 'write', 'delete'] },
  'protected/{entity_id}/*': {
    authenticated: ['get', 'list'],
    entityidentity: ['get', 'list', 'write', 'delete'],
  },
  'private/{entity_id}/*': { entityidentity: ['get', 'list', 'write', 'delete'] },
};

export function amplifyOutputs(input: AmplifyOutputsInput) {
  const { pool, identityPool, region } = input;
  return {
    version: '1.4',
    ...(pool
      ? {
          auth: {
            aws_region: region,
            user_pool_id: pool.userPoolId,
            user_pool_client_id: pool.clientId,
            ...(pool.endpoint ? { user_pool_endpoint: pool.endpoint } : {}),
            username_attributes: ['email'],
            standard_required_attributes: ['email'],
            user_verification_types: ['email'],
            password_policy: {
              min_length: pool.passwordMinLength,
              require_lowercase: false,
              require_uppercase: false,
              require_numbers: false,
              require_symbols: false,
            },
            // Amplify's names for Cognito's OFF, OPTIONAL and ON.
            mfa_configuration: { OFF: 'NONE', OPTIONAL: 'OPTIONAL', ON: 'REQUIRED' }[pool.mfa],
            mfa_methods: pool.mfa === 'OFF' ? [] : ['SMS', 'TOTP'],
            ...(identityPool ? { identity_pool_id: identityPool.id } : {}),
            unauthenticated_identities_enabled: identityPool?.allowGuests ?? false,
            ...(pool.oauth ? { oauth: amplifyOAuthOutputs(pool.oauth) } : {}),
          },
        }
      : {}),
    data: {
      url: input.data.url,
      aws_region: region,
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: identityPool ? ['API_KEY', 'AWS_IAM'] : ['API_KEY'],
      ...(input.data.apiKey ? { api_key: input.data.apiKey } : {}),
    },
    storage: {
      aws_region: region,
      bucket_name: input.bucketName,
      buckets: [{ name: 'media', bucket_name: input.bucketName, aws_region: region, paths: storagePaths }],
    },
    ...(input.s3Endpoint || input.operatorApiUrl
      ? {
          custom: {
            ...(input.s3Endpoint ? { s3_endpoint: input.s3Endpoint } : {}),
            ...(input.operatorApiUrl ? { operator_api_url: input.operatorApiUrl } : {}),
          },
        }
      : {}),
  };
}
