/** DescribeIdentityPool (developer credentials): the pool's settings in Cognito's shape. */
import { requirePool, type IdentityPoolServices } from './model.ts';

export async function describeIdentityPool(
  request: { IdentityPoolId: string },
  services: Pick<IdentityPoolServices, 'settings'>,
) {
  const { settings } = services;
  requirePool(request.IdentityPoolId, settings);
  return {
    IdentityPoolId: settings.identityPoolId,
    IdentityPoolName: settings.identityPoolName,
    AllowUnauthenticatedIdentities: settings.allowGuests,
    AllowClassicFlow: false,
    CognitoIdentityProviders: [
      { ProviderName: settings.providerName(), ClientId: settings.clientId, ServerSideTokenCheck: false },
    ],
    IdentityPoolTags: {},
  };
}
