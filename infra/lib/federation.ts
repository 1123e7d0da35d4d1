/**
 * The hosted UI on AWS and the identity providers it federates to, from CDK context `federation`:
 * `example` (a synthesizable example with every kind), a path to a JSON file, or the object itself
 * (in cdk.json). Secrets are named, never given: a Secrets Manager secret (and a JSON field in it),
 * which CloudFormation resolves at deploy time, so no secret is ever in the template.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const secretReference = z
  .object({
    /** The secret's name or ARN. */
    secretsManager: z.string().min(1),
    /** A field of a JSON secret; absent: the whole secret string. */
    jsonField: z.string().min(1).optional(),
  })
  .strict();

/** A SAML or OIDC provider's name, as Cognito allows one and as the local pool's names go. */
const customName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and - (up to 32)')
  .refine(
    (name) => !['Google', 'Facebook', 'SignInWithApple', 'LoginWithAmazon', 'COGNITO'].includes(name),
    'is the fixed name of a built-in provider',
  );
const scopes = z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1);
/** Pool attribute (`email`, `name`, `custom:preferred_username`) → the provider's attribute. */
const attributeMapping = z.record(z.string().min(1), z.string().min(1));

const providerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('google'),
      clientId: z.string().min(1),
      clientSecret: secretReference,
      scopes: scopes.optional(),
      attributeMapping: attributeMapping.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('facebook'),
      clientId: z.string().min(1),
      clientSecret: secretReference,
      scopes: scopes.optional(),
      apiVersion: z
        .string()
        .regex(/^v\d+\.\d+$/, 'a Graph API version such as v21.0')
        .optional(),
      attributeMapping: attributeMapping.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('apple'),
      /** The Services ID (Apple's client id). */
      servicesId: z.string().min(1),
      teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'Apple team ids are 10 letters and digits'),
      keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'Apple key ids are 10 letters and digits'),
      /** The .p8 private key's PEM text. */
      privateKey: secretReference,
      scopes: scopes.optional(),
      attributeMapping: attributeMapping.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('saml'),
      name: customName,
      metadataUrl: z.url().optional(),
      /** A metadata XML file, relative to the repository. */
      metadataFile: z.string().min(1).optional(),
      /** Email domains that pick this provider (Cognito's IdpIdentifiers). */
      identifiers: z.array(z.string().min(1)).max(50).optional(),
      /** Off unless asked: IdP-initiated sign-in cannot be bound to a request, so it is easier to replay. */
      idpInitiated: z.boolean().optional(),
      idpSignout: z.boolean().optional(),
      attributeMapping: attributeMapping.optional(),
    })
    .strict()
    .refine((p) => (p.metadataUrl === undefined) !== (p.metadataFile === undefined), {
      message: 'needs one of metadataUrl and metadataFile',
    }),
  z
    .object({
      kind: z.literal('oidc'),
      name: customName,
      issuer: z.url(),
      clientId: z.string().min(1),
      clientSecret: secretReference,
      scopes: scopes.optional(),
      attributeRequestMethod: z.enum(['GET', 'POST']).optional(),
      identifiers: z.array(z.string().min(1)).max(50).optional(),
      attributeMapping: attributeMapping.optional(),
    })
    .strict(),
]);

const federationSchema = z
  .object({
    /** The hosted UI's prefix domain, `<prefix>.auth.<region>.amazoncognito.com` (unique in the region). */
    domainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and - (up to 63)')
      .refine((prefix) => !/aws|amazon|cognito/.test(prefix), 'may not contain aws, amazon or cognito'),
    callbackUrls: z.array(z.url()).min(1).max(100),
    logoutUrls: z.array(z.url()).min(1).max(100),
    scopes: z
      .array(z.enum(['openid', 'email', 'profile', 'phone', 'aws.cognito.signin.user.admin']))
      .min(1)
      .optional(),
    providers: z.array(providerSchema).max(50),
  })
  .strict()
  .refine(
    (f) => new Set(f.providers.map(providerName)).size === f.providers.length,
    'names each provider once (Google, Facebook and SignInWithApple at most once each)',
  );

export type SecretReference = z.infer<typeof secretReference>;
export type FederatedProvider = z.infer<typeof providerSchema>;
export type FederationSettings = Omit<z.infer<typeof federationSchema>, 'scopes'> & { scopes: string[] };

/** The name Cognito knows a provider by: fixed for the social ones, chosen for SAML and OIDC. */
export function providerName(provider: FederatedProvider): string {
  switch (provider.kind) {
    case 'google':
      return 'Google';
    case 'facebook':
      return 'Facebook';
    case 'apple':
      return 'SignInWithApple';
    default:
      return provider.name;
  }
}

/** Every kind, with secrets named by placeholder: `npm run synth -- -c federation=example`. */
export function exampleFederation(stage: string): unknown {
  const secret = (kind: string, jsonField: string) => ({
    secretsManager: `plaza/${stage}/federation/${kind}`,
    jsonField,
  });
  return {
    domainPrefix: `plaza-${stage}-example`,
    callbackUrls: ['https://app.example.com/', 'http://localhost:5173/'],
    logoutUrls: ['https://app.example.com/', 'http://localhost:5173/'],
    providers: [
      {
        kind: 'google',
        clientId: 'example-client-id.apps.googleusercontent.com',
        clientSecret: secret('google', 'clientSecret'),
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name' },
      },
      {
        kind: 'facebook',
        clientId: '1234567890123456',
        clientSecret: secret('facebook', 'appSecret'),
        scopes: ['public_profile', 'email'],
        apiVersion: 'v21.0',
        attributeMapping: { email: 'email', name: 'name' },
      },
      {
        kind: 'apple',
        servicesId: 'com.example.plaza.signin',
        teamId: 'ABCDE12345',
        keyId: 'FGHIJ67890',
        privateKey: secret('apple', 'privateKey'),
        scopes: ['email', 'name'],
        attributeMapping: { email: 'email', name: 'name' },
      },
      {
        kind: 'saml',
        name: 'Corporate',
        metadataUrl: 'https://idp.example.com/saml/metadata',
        identifiers: ['example.com'],
        attributeMapping: {
          email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        },
      },
      {
        kind: 'oidc',
        name: 'Okta',
        issuer: 'https://example.okta.com',
        clientId: 'example-okta-client',
        clientSecret: secret('okta', 'clientSecret'),
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: { email: 'email', name: 'name' },
      },
    ],
  };
}

/**
 * Context `federation`, validated: absent means no hosted UI (sign-in only through the API, as
 * before). Errors name the field, and a secret given as text is refused with how to name it instead.
 */
export function readFederation(
  value: unknown,
  stage: string,
  repoRoot: string,
): FederationSettings | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let raw: unknown = value;
  if (value === 'example') raw = exampleFederation(stage);
  else if (typeof value === 'string') {
    const path = resolve(repoRoot, value);
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`Context federation: cannot read ${path}: ${(error as Error).message}`);
    }
  }
  const parsed = federationSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.');
      const secretAsText = /clientSecret|privateKey/.test(where) && issue.code === 'invalid_type';
      return `  federation.${where}: ${
        secretAsText
          ? 'a reference such as { "secretsManager": "plaza/google", "jsonField": "clientSecret" }, never the secret itself'
          : issue.message
      }`;
    });
    throw new Error(`Invalid context federation:\n${issues.join('\n')}`);
  }
  const providers = parsed.data.providers.map((provider) =>
    provider.kind === 'saml' && provider.metadataFile
      ? { ...provider, metadataFile: resolve(repoRoot, provider.metadataFile) }
      : provider,
  );
  const scopesOf = parsed.data.scopes ?? ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'];
  return { ...parsed.data, providers, scopes: scopesOf };
}
