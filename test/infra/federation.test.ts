/**
 * The hosted UI on AWS (issue 23): `-c federation=example` synthesizes a prefix domain, the app
 * client's authorization-code flow and a provider of every kind, with secrets only as Secrets
 * Manager references; the stack's AmplifyOutputs carries `auth.oauth` as the local server writes it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleFederation, readFederation } from '../../infra/lib/federation.ts';
import { repoRoot } from '../../infra/lib/settings.ts';
import { synthesize, resourcesOf, type Resource } from './synth.ts';

const resolved = /^\{\{resolve:secretsmanager:[^{}]+\}\}$/;

/** A stack output's value with its references replaced by their logical ids, as text. */
function outputText(template: Template, name: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, unknown>;
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Ref' in node) return `<${String(node.Ref)}>`;
    if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
    throw new Error(`Unexpected intrinsic ${JSON.stringify(value)}`);
  };
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
  return render(outputs[name]!.Value);
}

describe('without federation', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthesize());
  });

  it('deploys no hosted UI: no domain, no providers, OAuth off on the client', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: false,
      SupportedIdentityProviders: ['COGNITO'],
    });
    const outputs = JSON.parse(outputText(template, 'AmplifyOutputs')) as { auth: Record<string, unknown> };
    expect(outputs.auth.oauth).toBeUndefined();
    expect(outputs.auth.user_pool_endpoint).toBeUndefined();
  });
});

describe('federation=example', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  beforeAll(() => {
    ({ template } = synthesize({ federation: 'example' }));
    resources = resourcesOf(template);
  });

  const providers = () =>
    Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolIdentityProvider');

  it('deploys the hosted UI on a prefix domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'plaza-dev-example',
      UserPoolId: { Ref: Match.stringLikeRegexp('UserPool') },
    });
  });

  it('gives the app client the code flow, its URLs and scopes, and every provider, after them', () => {
    const client = Object.values(resources).find((r) => r.Type === 'AWS::Cognito::UserPoolClient')!;
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['https://app.example.com/', 'http://localhost:5173/'],
      LogoutURLs: ['https://app.example.com/', 'http://localhost:5173/'],
      SupportedIdentityProviders: ['COGNITO', 'Google', 'Facebook', 'SignInWithApple', 'Corporate', 'Okta'],
    });
    // CloudFormation refuses a client naming a provider that does not exist yet.
    expect([...(client.DependsOn ?? [])].sort()).toEqual(
      providers()
        .map(([id]) => id)
        .sort(),
    );
  });

  it('builds each provider from the configuration, with its attribute mapping', () => {
    const byName = Object.fromEntries(
      providers().map(([, r]) => [r.Properties.ProviderName as string, r.Properties]),
    );
    expect(byName.Google).toMatchObject({
      ProviderType: 'Google',
      ProviderDetails: {
        client_id: 'example-client-id.apps.googleusercontent.com',
        client_secret: '{{resolve:secretsmanager:plaza/dev/federation/google:SecretString:clientSecret::}}',
        authorize_scopes: 'openid email profile',
      },
      AttributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name' },
    });
    expect(byName.Facebook).toMatchObject({
      ProviderType: 'Facebook',
      ProviderDetails: {
        client_id: '1234567890123456',
        client_secret: '{{resolve:secretsmanager:plaza/dev/federation/facebook:SecretString:appSecret::}}',
        authorize_scopes: 'public_profile,email',
        api_version: 'v21.0',
      },
    });
    expect(byName.SignInWithApple).toMatchObject({
      ProviderType: 'SignInWithApple',
      ProviderDetails: {
        client_id: 'com.example.plaza.signin',
        team_id: 'ABCDE12345',
        key_id: 'FGHIJ67890',
        private_key: '{{resolve:secretsmanager:plaza/dev/federation/apple:SecretString:privateKey::}}',
        authorize_scopes: 'email name',
      },
    });
    expect(byName.Corporate).toMatchObject({
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://idp.example.com/saml/metadata', IDPInit: false },
      IdpIdentifiers: ['example.com'],
      AttributeMapping: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      },
    });
    expect(byName.Okta).toMatchObject({
      ProviderType: 'OIDC',
      ProviderDetails: {
        oidc_issuer: 'https://example.okta.com',
        client_id: 'example-okta-client',
        authorize_scopes: 'openid email profile',
        attributes_request_method: 'GET',
      },
    });
    expect(Object.keys(byName)).toHaveLength(5);
  });

  it('writes no secret into the template: every secret is a Secrets Manager reference', () => {
    const secretFields = providers().flatMap(([, r]) =>
      Object.entries(r.Properties.ProviderDetails as Record<string, unknown>).filter(([key]) =>
        /secret|private_key/i.test(key),
      ),
    );
    expect(secretFields).toHaveLength(4);
    for (const [, value] of secretFields) expect(value).toMatch(resolved);
    // Nowhere else either: no PEM key, and each secret's name appears only inside a reference.
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    expect(text.match(/plaza\/dev\/federation\//g)).toHaveLength(4);
  });

  it('keeps SMS on SNS with the caller role Cognito assumes with its external id', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      SmsConfiguration: {
        ExternalId: 'plaza-dev-sms',
        SnsCallerArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SmsRole'), 'Arn'] },
      },
      UserPoolTier: 'LITE',
    });
  });

  it('carries auth.oauth in the AmplifyOutputs output, in the local server shape', () => {
    const outputs = JSON.parse(outputText(template, 'AmplifyOutputs')) as {
      auth: Record<string, unknown>;
      data: Record<string, unknown>;
    };
    expect(outputs.auth.oauth).toEqual({
      domain: 'plaza-dev-example.auth.us-west-1.amazoncognito.com',
      scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      redirect_sign_in_uri: ['https://app.example.com/', 'http://localhost:5173/'],
      redirect_sign_out_uri: ['https://app.example.com/', 'http://localhost:5173/'],
      response_type: 'code',
      identity_providers: ['GOOGLE', 'FACEBOOK', 'SIGN_IN_WITH_APPLE', 'Corporate', 'Okta'],
    });
    expect(outputs.auth.user_pool_id).toMatch(/^<IdentityUserPool\w+>$/);
    expect(outputs.auth.user_pool_client_id).toMatch(/^<IdentityUserPoolAppClient\w+>$/);
    expect(outputs.data.url).toMatch(/^<GraphQL\w+\.GraphQLUrl>$/);
  });
});

describe('passkeys and a SAML metadata file', () => {
  it('puts the pool on Essentials with WEB_AUTHN and the relying party when the config turns passkeys on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-federation-'));
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ userPool: { webAuthn: { enabled: true, userVerification: 'required' } } }),
    );
    const metadata = '<EntityDescriptor entityID="https://idp.example.org/"/>';
    writeFileSync(join(dir, 'metadata.xml'), metadata);
    const { template } = synthesize({
      config: join(dir, 'plaza.config.json'),
      federation: {
        domainPrefix: 'plaza-passkeys',
        callbackUrls: ['https://app.example.org/'],
        logoutUrls: ['https://app.example.org/'],
        scopes: ['openid', 'email'],
        providers: [{ kind: 'saml', name: 'Campus', metadataFile: join(dir, 'metadata.xml') }],
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      WebAuthnRelyingPartyID: 'plaza-passkeys.auth.us-west-1.amazoncognito.com',
      WebAuthnUserVerification: 'required',
      Policies: Match.objectLike({
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] },
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'Campus',
      ProviderDetails: Match.objectLike({ MetadataFile: metadata }),
      AttributeMapping: { email: 'email' },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO', 'Campus'],
    });
  });
});

describe('readFederation', () => {
  const valid = exampleFederation('dev') as { providers: Record<string, unknown>[] };

  it('refuses a secret given as text, and says how to name it', () => {
    const leaked = structuredClone(valid);
    leaked.providers[0]!.clientSecret = 'GOCSPX-a-real-looking-secret';
    expect(() => readFederation(leaked, 'dev', repoRoot)).toThrow(
      /federation\.providers\.0\.clientSecret: a reference such as \{ "secretsManager"/,
    );
    try {
      readFederation(leaked, 'dev', repoRoot);
    } catch (error) {
      expect((error as Error).message).not.toContain('GOCSPX');
    }
  });

  it('names the field of each bad value', () => {
    const bad = {
      domainPrefix: 'my-cognito-login',
      callbackUrls: [],
      logoutUrls: ['https://app.example.com/'],
      providers: [
        { kind: 'saml', name: 'Google' },
        {
          kind: 'apple',
          servicesId: 'x',
          teamId: 'short',
          keyId: 'FGHIJ67890',
          privateKey: { secretsManager: 'k' },
        },
      ],
    };
    const message = (() => {
      try {
        readFederation(bad, 'dev', repoRoot);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/federation\.domainPrefix: may not contain aws, amazon or cognito/);
    expect(message).toMatch(/federation\.callbackUrls: /);
    expect(message).toMatch(/federation\.providers\.0\.name: is the fixed name of a built-in provider/);
    expect(message).toMatch(/federation\.providers\.1\.teamId: Apple team ids/);
  });

  it('refuses two providers of one name, and reads a file by its path', () => {
    const twice = structuredClone(valid);
    twice.providers.push({ ...twice.providers[0] });
    expect(() => readFederation(twice, 'dev', repoRoot)).toThrow(/names each provider once/);
    const dir = mkdtempSync(join(tmpdir(), 'plaza-federation-'));
    writeFileSync(join(dir, 'federation.json'), JSON.stringify(valid));
    expect(readFederation(join(dir, 'federation.json'), 'dev', repoRoot)?.providers).toHaveLength(5);
    expect(() => readFederation(join(dir, 'missing.json'), 'dev', repoRoot)).toThrow(
      /Context federation: cannot read .*missing\.json/,
    );
    expect(readFederation(undefined, 'dev', repoRoot)).toBeUndefined();
  });
});
