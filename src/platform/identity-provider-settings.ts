/**
 * The user pool's external identity providers in plaza.config.json
 * (`userPool.identityProviders`): OpenID Connect (the default `type`),
 * Facebook and Sign in with Apple. Secrets come from a file or an environment
 * variable, are read once here and never appear in an error or a log.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

interface CommonSettings {
  /** The name in `identity_provider=<name>` and the prefix of its users' usernames (Facebook, SignInWithApple). */
  name: string;
  clientId: string;
  scopes: string[];
  /** Pool attribute → the provider's claim (Facebook: its Graph API field). */
  attributeMapping: Record<string, string>;
}

export interface OidcProviderSettings extends CommonSettings {
  type: 'oidc';
  issuer: string;
  clientSecret: string | undefined;
}

export interface FacebookProviderSettings extends CommonSettings {
  type: 'facebook';
  /** The app secret: the token exchange and each Graph API call's appsecret_proof. */
  clientSecret: string;
  /** The login dialog (www.facebook.com/<version>/dialog/oauth). */
  authorizationEndpoint: string;
  /** The Graph API with its version (graph.facebook.com/<version>). */
  graphUrl: string;
}

export interface AppleProviderSettings extends CommonSettings {
  type: 'apple';
  /** https://appleid.apple.com; its discovery document names the other endpoints. */
  issuer: string;
  teamId: string;
  keyId: string;
  /** The team's ES256 private key (PKCS #8 PEM), which signs the client secret. */
  privateKey: string;
}

export type IdentityProviderSettings =
  OidcProviderSettings | FacebookProviderSettings | AppleProviderSettings;

const name = z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and - (up to 32)');
const scopes = z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).optional();
const attributeMapping = z.record(z.string(), z.string()).optional();
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

const oidcSchema = z
  .object({
    type: z.literal('oidc'),
    name,
    issuer: z.url(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    scopes,
    attributeMapping,
  })
  .strict();

const facebookSchema = z
  .object({
    type: z.literal('facebook'),
    // Cognito fixes a social provider's name, and so its users' `Facebook_<id>` usernames.
    name: z.literal('Facebook', { error: 'Facebook (Cognito’s fixed name for this provider)' }).optional(),
    /** The app ID. */
    clientId: z.string().regex(/^\d{1,32}$/, 'a Facebook app ID (digits)'),
    clientSecret: z.string().min(1).optional(),
    clientSecretFile: z.string().min(1).optional(),
    clientSecretEnv: envName.optional(),
    scopes,
    /** Pool attribute → Graph API field of /me (email → email, name → name by default). */
    attributeMapping: z
      .record(z.string(), z.string().regex(/^[a-z_]{1,64}$/, 'a Graph API field of /me'))
      .optional(),
    authorizationEndpoint: z.url().optional(),
    graphUrl: z.url().optional(),
  })
  .strict()
  .refine(
    (p) =>
      [p.clientSecret, p.clientSecretFile, p.clientSecretEnv].filter((v) => v !== undefined).length === 1,
    { message: 'exactly one of clientSecret, clientSecretFile and clientSecretEnv (the app secret)' },
  );

const appleSchema = z
  .object({
    type: z.literal('apple'),
    name: z
      .literal('SignInWithApple', { error: 'SignInWithApple (Cognito’s fixed name for this provider)' })
      .optional(),
    /** The Services ID. */
    clientId: z.string().min(1),
    teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'a 10-character Apple team ID'),
    keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'a 10-character Apple key ID'),
    privateKeyFile: z.string().min(1).optional(),
    privateKeyEnv: envName.optional(),
    issuer: z.url().optional(),
    scopes,
    attributeMapping,
  })
  .strict()
  .refine((p) => (p.privateKeyFile === undefined) !== (p.privateKeyEnv === undefined), {
    message: 'exactly one of privateKeyFile and privateKeyEnv (the team’s .p8 key)',
  });

/** One provider; `type` is `oidc` when absent. */
export const identityProviderSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !('type' in value) ? { ...value, type: 'oidc' } : value,
  z.discriminatedUnion('type', [oidcSchema, facebookSchema, appleSchema]),
);

const defaultNames = { oidc: 'OIDC', facebook: 'Facebook', apple: 'SignInWithApple' } as const;

type ProviderFile = z.infer<typeof identityProviderSchema>;
type Env = Record<string, string | undefined>;

/** A secret from a file (relative to the working directory) or an environment variable. */
function secretOf(
  where: string,
  source: { file: string | undefined; env: string | undefined; inline?: string | undefined },
  env: Env,
  cwd: string,
): string {
  if (source.inline !== undefined) return source.inline;
  if (source.env !== undefined) {
    const value = env[source.env];
    if (!value) throw new Error(`${where}: the environment variable ${source.env} is not set`);
    return value;
  }
  try {
    return readFileSync(resolve(cwd, source.file ?? ''), 'utf8').trim();
  } catch {
    throw new Error(`${where}: cannot read ${source.file}`);
  }
}

function applePrivateKey(where: string, pem: string): string {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${where}: the private key is not a PEM (PKCS #8) key`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error(`${where}: the private key is not an ES256 (P-256) key`);
  return pem;
}

/** The typed settings, secrets read; throws an Error naming the provider's field when one is missing. */
export function identityProvidersOf(
  providers: ProviderFile[],
  env: Env,
  cwd: string,
): IdentityProviderSettings[] {
  const names = new Set<string>();
  return providers.map((provider, index) => {
    const where = `userPool.identityProviders.${index}`;
    const providerName = provider.name ?? defaultNames[provider.type];
    if (names.has(providerName.toLowerCase()))
      throw new Error(`${where}.name: ${providerName} is used twice`);
    names.add(providerName.toLowerCase());
    const common = { name: providerName, clientId: provider.clientId };
    switch (provider.type) {
      case 'oidc':
        return {
          ...common,
          type: 'oidc',
          issuer: provider.issuer,
          clientSecret: provider.clientSecret,
          scopes: provider.scopes ?? ['openid', 'email'],
          attributeMapping: provider.attributeMapping ?? { email: 'email' },
        };
      case 'facebook':
        return {
          ...common,
          type: 'facebook',
          clientSecret: secretOf(
            `${where}.clientSecret`,
            { inline: provider.clientSecret, file: provider.clientSecretFile, env: provider.clientSecretEnv },
            env,
            cwd,
          ),
          scopes: provider.scopes ?? ['public_profile', 'email'],
          attributeMapping: provider.attributeMapping ?? { email: 'email', name: 'name' },
          authorizationEndpoint:
            provider.authorizationEndpoint ?? 'https://www.facebook.com/v19.0/dialog/oauth',
          graphUrl: (provider.graphUrl ?? 'https://graph.facebook.com/v19.0').replace(/\/$/, ''),
        };
      case 'apple':
        return {
          ...common,
          type: 'apple',
          issuer: provider.issuer ?? 'https://appleid.apple.com',
          teamId: provider.teamId,
          keyId: provider.keyId,
          privateKey: applePrivateKey(
            `${where}.privateKey`,
            secretOf(
              `${where}.privateKey`,
              { file: provider.privateKeyFile, env: provider.privateKeyEnv },
              env,
              cwd,
            ),
          ),
          scopes: provider.scopes ?? ['name', 'email'],
          attributeMapping: provider.attributeMapping ?? { email: 'email', name: 'name' },
        };
    }
  });
}
