import type { FastifyInstance } from 'fastify';
import { amplifyOutputs, type HostedUiOutputs } from './amplify-outputs.ts';

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
  /** The hosted UI's app-client settings and providers (its domain is the base URL's host); none without callback URLs. */
  hostedUi?: () => Omit<HostedUiOutputs, 'domain'>;
}

/**
 * GET /amplify_outputs.json: the client configuration in the shape Amplify
 * Gen 2 reads, so `Amplify.configure(outputs)` points a stock Amplify app at
 * Plaza (and the same app at the AWS deployment's outputs, from the same builder).
 */
export function registerAmplifyOutputsRoute(server: FastifyInstance, source: AmplifyOutputsSource): void {
  server.get('/amplify_outputs.json', async () => {
    const baseUrl = source.baseUrl();
    const hostedUi = source.pool && source.hostedUi?.();
    return amplifyOutputs({
      region: source.region,
      pool: source.pool && {
        ...source.pool,
        // Plaza's own Cognito endpoint (Amplify's `userPoolEndpoint`).
        endpoint: `${baseUrl}/`,
        // The hosted UI is served on the base URL's host, as Cognito serves it on its domain.
        ...(hostedUi && hostedUi.callbackUrls.length > 0
          ? { oauth: { ...hostedUi, domain: new URL(baseUrl).host } }
          : {}),
      },
      identityPool: source.identityPool,
      data: { url: `${baseUrl}/graphql`, apiKey: source.apiKey() },
      bucketName: source.bucketName,
      ...(source.identityPool?.s3Path ? { s3Endpoint: `${baseUrl}${source.identityPool.s3Path}` } : {}),
    });
  });
}
