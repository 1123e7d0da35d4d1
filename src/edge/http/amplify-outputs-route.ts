import type { FastifyInstance } from 'fastify';

export interface AmplifyOutputsSource {
  region: string;
  /** The URL clients reach Plaza at, known once the server listens. */
  baseUrl(): string;
  pool:
    | { userPoolId: string; clientId: string; passwordMinLength: number; mfa: 'OFF' | 'OPTIONAL' | 'ON' }
    | undefined;
  /** The development API key (never served in production). */
  apiKey(): string | undefined;
  bucketName: string;
  /** The identity pool, when served: Amplify's fetchAuthSession gets AWS credentials from it. */
  identityPool?: { id: string; allowGuests: boolean; s3Path?: string } | undefined;
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

/**
 * GET /amplify_outputs.json: the client configuration in the shape Amplify
 * Gen 2 reads, so `Amplify.configure(outputs)` points a stock Amplify app at
 * Plaza (and the same app at the AWS deployment's outputs).
 */
export function registerAmplifyOutputsRoute(server: FastifyInstance, source: AmplifyOutputsSource): void {
  server.get('/amplify_outputs.json', async () => {
    const baseUrl = source.baseUrl();
    const apiKey = source.apiKey();
    return {
      version: '1.4',
      ...(source.pool
        ? {
            auth: {
              aws_region: source.region,
              user_pool_id: source.pool.userPoolId,
              user_pool_client_id: source.pool.clientId,
              // Plaza's own Cognito endpoint (Amplify's `userPoolEndpoint`).
              user_pool_endpoint: `${baseUrl}/`,
              username_attributes: ['email'],
              standard_required_attributes: ['email'],
              user_verification_types: ['email'],
              password_policy: {
                min_length: source.pool.passwordMinLength,
                require_lowercase: false,
                require_uppercase: false,
                require_numbers: false,
                require_symbols: false,
              },
              // Amplify's names for Cognito's OFF, OPTIONAL and ON.
              mfa_configuration: { OFF: 'NONE', OPTIONAL: 'OPTIONAL', ON: 'REQUIRED' }[source.pool.mfa],
              mfa_methods: source.pool.mfa === 'OFF' ? [] : ['SMS', 'TOTP'],
              ...(source.identityPool ? { identity_pool_id: source.identityPool.id } : {}),
              unauthenticated_identities_enabled: source.identityPool?.allowGuests ?? false,
            },
          }
        : {}),
      data: {
        url: `${baseUrl}/graphql`,
        aws_region: source.region,
        default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
        authorization_types: source.identityPool ? ['API_KEY', 'AWS_IAM'] : ['API_KEY'],
        ...(apiKey ? { api_key: apiKey } : {}),
      },
      storage: {
        aws_region: source.region,
        bucket_name: source.bucketName,
        buckets: [
          {
            name: 'media',
            bucket_name: source.bucketName,
            aws_region: source.region,
            paths: storagePaths,
          },
        ],
      },
      ...(source.identityPool?.s3Path
        ? { custom: { s3_endpoint: `${baseUrl}${source.identityPool.s3Path}` } }
        : {}),
    };
  });
}
