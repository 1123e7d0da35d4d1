/**
 * The user pool's external identity providers, from the `federation` context: Google, Facebook,
 * Sign in with Apple, SAML and OpenID Connect. Secrets are Secrets Manager references, resolved by
 * CloudFormation at deploy time (`{{resolve:secretsmanager:…}}`), never written into the template.
 */
import { readFileSync } from 'node:fs';
import { SecretValue } from 'aws-cdk-lib';
import {
  OidcAttributeRequestMethod,
  ProviderAttribute,
  UserPoolIdentityProviderApple,
  UserPoolIdentityProviderFacebook,
  UserPoolIdentityProviderGoogle,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
  type AttributeMapping,
  type IUserPool,
  type IUserPoolIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { providerName, type FederatedProvider, type SecretReference } from './federation.ts';

function secretOf(reference: SecretReference): SecretValue {
  return SecretValue.secretsManager(
    reference.secretsManager,
    reference.jsonField ? { jsonField: reference.jsonField } : {},
  );
}

/** Pool attribute → provider attribute, as Cognito's AttributeMapping spells it (keys as given). */
function mappingOf(mapping: Record<string, string> | undefined): AttributeMapping {
  return {
    custom: Object.fromEntries(
      Object.entries(mapping ?? { email: 'email' }).map(([pool, provider]) => [
        pool,
        ProviderAttribute.other(provider),
      ]),
    ),
  };
}

function providerOf(
  scope: Construct,
  userPool: IUserPool,
  provider: FederatedProvider,
): IUserPoolIdentityProvider {
  const id = `${providerName(provider)}Provider`;
  const common = { userPool, attributeMapping: mappingOf(provider.attributeMapping) };
  switch (provider.kind) {
    case 'google':
      return new UserPoolIdentityProviderGoogle(scope, id, {
        ...common,
        clientId: provider.clientId,
        clientSecretValue: secretOf(provider.clientSecret),
        scopes: provider.scopes ?? ['openid', 'email', 'profile'],
      });
    case 'facebook':
      // The L2 takes the app secret as a string: the dynamic reference's text, still only a reference.
      return new UserPoolIdentityProviderFacebook(scope, id, {
        ...common,
        clientId: provider.clientId,
        clientSecret: secretOf(provider.clientSecret).unsafeUnwrap(),
        scopes: provider.scopes ?? ['public_profile', 'email'],
        ...(provider.apiVersion ? { apiVersion: provider.apiVersion } : {}),
      });
    case 'apple':
      return new UserPoolIdentityProviderApple(scope, id, {
        ...common,
        clientId: provider.servicesId,
        teamId: provider.teamId,
        keyId: provider.keyId,
        privateKeyValue: secretOf(provider.privateKey),
        scopes: provider.scopes ?? ['email', 'name'],
      });
    case 'saml':
      return new UserPoolIdentityProviderSaml(scope, id, {
        ...common,
        name: provider.name,
        metadata: provider.metadataUrl
          ? UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl)
          : UserPoolIdentityProviderSamlMetadata.file(readFileSync(provider.metadataFile!, 'utf8')),
        idpInitiated: provider.idpInitiated ?? false,
        idpSignout: provider.idpSignout ?? false,
        ...(provider.identifiers ? { identifiers: provider.identifiers } : {}),
      });
    case 'oidc':
      return new UserPoolIdentityProviderOidc(scope, id, {
        ...common,
        name: provider.name,
        issuerUrl: provider.issuer,
        clientId: provider.clientId,
        clientSecret: secretOf(provider.clientSecret).unsafeUnwrap(),
        scopes: provider.scopes ?? ['openid', 'email'],
        attributeRequestMethod:
          provider.attributeRequestMethod === 'POST'
            ? OidcAttributeRequestMethod.POST
            : OidcAttributeRequestMethod.GET,
        ...(provider.identifiers ? { identifiers: provider.identifiers } : {}),
      });
  }
}

export function identityProviders(
  scope: Construct,
  userPool: IUserPool,
  providers: readonly FederatedProvider[],
): IUserPoolIdentityProvider[] {
  return providers.map((provider) => providerOf(scope, userPool, provider));
}
