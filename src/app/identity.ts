/**
 * Who signs users in. Embedded: Plaza is the user pool (Cognito's API, its own keys, triggers
 * as modules). Cognito: tokens from Amazon Cognito, checked against the pool's published keys.
 */
import type { Stores } from './stores.ts';
import { jwksIdentityVerifier } from '../adapters/jose/jwks-identity-verifier.ts';
import { joseTokenSigner, type RotatingTokenSigner } from '../adapters/jose/jose-token-signer.ts';
import { argon2PasswordHasher } from '../adapters/argon2/argon2-password-hasher.ts';
import { outboxMailer } from '../adapters/outbox/outbox-mailer.ts';
import {
  revocationsClaim,
  userKeys,
  type IdentityServices,
  type PoolSettings,
} from '../domain/identity/model.ts';
import { newPoolIdentity, type PoolIdentity } from '../domain/identity/pool-identity.ts';
import type { HostedUiSettings } from '../domain/identity/oauth.ts';
import { oidcIdentityProvider } from '../adapters/oidc/oidc-identity-provider.ts';
import { appleIdentityProvider } from '../adapters/apple/apple-identity-provider.ts';
import { facebookIdentityProvider } from '../adapters/facebook/facebook-identity-provider.ts';
import { createProfile } from '../domain/social/create-profile.ts';
import {
  aliasedDirectory,
  aliasedVerifier,
  userAliases,
  type UserAliases,
} from '../domain/social/user-aliases.ts';
import { loadOrCreateJson } from '../platform/json-file.ts';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { type SocialServices } from '../domain/social/model.ts';
import type { Config, IdentityProviderSettings } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import { type Logger } from '../platform/logger.ts';
import { type Clock } from '../ports/clock.ts';
import type { IdentityVerifier } from '../ports/identity-verifier.ts';
import type { Ids } from '../ports/ids.ts';
import type { UserDirectory } from '../ports/user-directory.ts';
import { poolDirectory } from '../domain/identity/pool-directory.ts';
import { forgettingWrites, RevocationCache } from '../domain/identity/revocation-cache.ts';
import { recordKey } from '../ports/item-store/stream-images.ts';
import { ensureGroup, moderatorsGroup } from '../domain/identity/groups.ts';
import { deleteAccount } from '../domain/privacy/delete-account.ts';
import { identityPoolIdFor, type IdentityPoolServices } from '../domain/identity-pools/model.ts';
import {
  identityPoolPolicies,
  localPolicyResources,
  localRoleArns,
} from '../domain/identity-pools/policies.ts';
import { iamAuth, type IamAuth } from '../edge/graphql/iam-auth.ts';
import { s3Access, type S3Access } from '../edge/s3/s3-auth.ts';
import { sessionTokens } from '../domain/identity-pools/session-tokens.ts';
import { forgetUser } from '../domain/identity-pools/forget-user.ts';
import { loadOrCreateSecret } from '../platform/secrets.ts';

export interface Identity {
  services?: IdentityServices;
  verifier: IdentityVerifier | undefined;
  pool: PoolIdentity | undefined;
  /** The links from this pool's users to the Plaza ids their data carries (a refilled pool's). */
  aliases: UserAliases;
  /** The identity pool beside the embedded user pool, when configured. */
  identityPool?: IdentityPoolServices;
  /** Stops the signing keys' rotation timer. */
  close?(): Promise<void> | void;
}

/**
 * Who signs users in. Embedded: Plaza is the user pool (Cognito's API, its own keys).
 * Cognito: tokens from Amazon Cognito, checked against the pool's published keys as AppSync checks them.
 */
export async function openIdentity(
  config: Config,
  deps: {
    clock: Clock;
    ids: Ids;
    logger: Logger;
    stores: Stores;
    social: SocialServices;
    baseUrl: () => string;
  },
): Promise<Identity> {
  if (config.identity.mode === 'cognito') {
    const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${config.identity.userPoolId}`;
    const aliases = userAliases(deps.stores.main, config.identity.userPoolId ?? '');
    const verifier = jwksIdentityVerifier({
      issuer,
      clientIds: [config.identity.clientId as string],
      keys: new URL(`${issuer}/.well-known/jwks.json`),
      clock: deps.clock,
    });
    return { verifier: aliasedVerifier(verifier, aliases), pool: undefined, aliases };
  }
  const identityDir = join(config.dataDir, 'identity');
  const pool = await loadOrCreateJson(
    join(identityDir, 'pool.json'),
    () => newPoolIdentity(config.region, deps.ids),
    {
      holds:
        "the embedded user pool's id and app client id, which every issued token and client config names",
      remedy:
        'Restore it from a backup. Deleting it makes a new pool id at the next start: every token ' +
        'and every client configured with the old id stops working.',
    },
  );
  const signer = await openSigningKeys(config, deps.clock.now, {
    rotateAfterMs: config.userPool.signingKeyRotationDays * 24 * 3600 * 1000,
  });
  const { keys, stop: stopFollowing } = followSigningKeys(signer, deps.logger);
  const settings: PoolSettings = {
    ...pool,
    get issuer() {
      return `${deps.baseUrl()}/${pool.userPoolId}`;
    },
    ...config.userPool,
  };
  const revocations = new RevocationCache<number | { after: number; revocations: number }>();
  const aliases = userAliases(deps.stores.main, pool.userPoolId);
  const services: IdentityServices = {
    triggers: {
      ...(config.userPool.triggers.preSignUp
        ? { preSignUp: await loadTrigger(config.userPool.triggers.preSignUp) }
        : {}),
      ...(config.userPool.triggers.preTokenGeneration
        ? { preTokenGeneration: await loadTrigger(config.userPool.triggers.preTokenGeneration) }
        : {}),
    },
    // Writes to a user's record make the token check read it afresh.
    users: forgettingWrites(deps.stores.users, (key) => revocations.forgetKey(key)),
    clock: deps.clock,
    ids: deps.ids,
    hasher: argon2PasswordHasher(),
    signer,
    mailer: config.smtp
      ? (await import('../adapters/smtp/smtp-mailer.ts')).smtpMailer(config.smtp, deps.logger)
      : outboxMailer({ dir: join(config.dataDir, 'outbox'), clock: deps.clock, logger: deps.logger }),
    pool: settings,
    // Plaza's post-confirmation trigger: the new user's profile.
    postConfirmation: async (event) =>
      createProfile(
        { userId: await aliases.userIdOf(event.userName), email: event.request.userAttributes.email ?? '' },
        deps.social,
      ),
    // The rest of the account is erased from the profile's REMOVE record (privacy/cascade-deletions.ts).
    // The identity pool forgets the user's identity too.
    onUserDeleted: async (sub) => {
      await deleteAccount(await aliases.userIdOf(sub), deps.social);
      if (config.identityPool.enabled) await forgetUser(sub, deps.stores.users, pool.userPoolId);
    },
  };
  const verifier = jwksIdentityVerifier({
    issuer: () => settings.issuer,
    clientIds: [pool.clientId],
    keys,
    clock: deps.clock,
    validAfter: (sub) =>
      revocations.get(sub, async () => {
        const { item } = await deps.stores.users.get(userKeys.user(sub));
        if (!item) return Number.POSITIVE_INFINITY;
        return { after: Number(item.validAfter ?? 0), revocations: Number(item.revocations ?? 0) };
      }),
    revocationsClaim,
  });
  // The pool's default group, made at the first start (moderation acts for its members). A store
  // that does not answer yet must not stop the server: /readyz reports it, and the next start makes it.
  await ensureGroup(
    { GroupName: moderatorsGroup, Description: 'Moderators: review reports and act on content.' },
    services,
  ).catch((error: unknown) =>
    deps.logger.warn({ err: error }, 'the moderators group could not be made; it will be at the next start'),
  );
  // Another process's writes (the CLI, another server on the same table) arrive by the stream.
  const revocationFeed = deps.stores.users.changes.subscribe('revocation-cache', async (records) => {
    for (const record of records) revocations.forgetKey(recordKey(record));
  });
  return {
    services,
    verifier: aliasedVerifier(verifier, aliases),
    pool,
    aliases,
    ...(config.identityPool.enabled
      ? { identityPool: identityPoolServices(config, { ...deps, verifier, signer, settings }) }
      : {}),
    close: async () => {
      stopFollowing();
      await revocationFeed.stop();
    },
  };
}

/**
 * The identity pool: its id derived from the user pool's, credentials sealed with a per-install
 * secret, ID tokens checked by the user pool's own verifier.
 */
function identityPoolServices(
  config: Config,
  deps: Pick<Parameters<typeof openIdentity>[1], 'clock' | 'ids' | 'stores' | 'baseUrl'> & {
    verifier: IdentityVerifier;
    signer: RotatingTokenSigner;
    settings: PoolSettings;
  },
): IdentityPoolServices {
  const { settings } = deps;
  return {
    store: deps.stores.users,
    clock: deps.clock,
    ids: deps.ids,
    verifier: deps.verifier,
    signer: deps.signer,
    tokens: sessionTokens(loadOrCreateSecret(config.dataDir, 'identity-pool-credentials')),
    settings: {
      identityPoolId: identityPoolIdFor(config.region, settings.userPoolId),
      identityPoolName: 'plaza',
      region: config.region,
      allowGuests: config.identityPool.allowGuests,
      // Amplify names the user pool in Logins by its issuer without the scheme.
      providerName: () => settings.issuer.replace(/^https?:\/\//, ''),
      userPoolId: settings.userPoolId,
      clientId: settings.clientId,
      roles: localRoleArns(),
      credentialSeconds: 3600,
      openIdIssuer: deps.baseUrl,
    },
  };
}

/** AppSync's AWS_IAM mode: the identity pool's credentials, checked against the roles' policies. */
export function identityPoolIam(config: Config, pool: IdentityPoolServices): IamAuth {
  const resources = localPolicyResources(config.region, config.storage.s3.bucket);
  return iamAuth({
    tokens: pool.tokens,
    clock: pool.clock,
    policies: identityPoolPolicies(resources),
    graphqlApiArn: resources.graphqlApiArn,
  });
}

/** The S3 API's access: the identity pool's credentials, checked against the same role policies. */
export function identityPoolS3Access(config: Config, pool: IdentityPoolServices): S3Access {
  return s3Access({
    tokens: pool.tokens,
    clock: pool.clock,
    policies: identityPoolPolicies(localPolicyResources(config.region, config.storage.s3.bucket)),
  });
}

/** The embedded pool's token signing keys, in the file `plaza keys rotate` writes too. */
export function openSigningKeys(
  config: Config,
  now: () => number,
  options: { rotateAfterMs?: number } = {},
): Promise<RotatingTokenSigner> {
  return joseTokenSigner({
    path: join(config.dataDir, 'identity', 'signing-keys.json'),
    now,
    ...options,
    // A replaced key verifies until every token it signed has expired, with an hour to spare.
    retireAfterMs:
      (Math.max(config.userPool.accessTokenSeconds, config.userPool.idTokenSeconds) + 3600) * 1000,
  });
}

/**
 * The verifier's key set, following the signer's through rotations: a key that is due is rotated,
 * and keys another process wrote (`plaza keys rotate`) are picked up, within minutes.
 */
function followSigningKeys(
  signer: RotatingTokenSigner,
  logger: Logger,
): { keys: JWTVerifyGetKey; stop(): void } {
  const rotation = setInterval(
    () => signer.refresh().catch((error) => logger.error({ err: error }, 'signing key refresh failed')),
    5 * 60 * 1000,
  );
  rotation.unref();
  let jwks = signer.jwks();
  let localKeys = createLocalJWKSet(jwks as JSONWebKeySet);
  const keys: JWTVerifyGetKey = (header, token) => {
    if (signer.jwks() !== jwks) {
      jwks = signer.jwks();
      localKeys = createLocalJWKSet(jwks as JSONWebKeySet);
    }
    return localKeys(header, token);
  };
  return { keys, stop: () => clearInterval(rotation) };
}

/** A trigger module, as a Lambda trigger's: it exports `handler(event)` and returns the event. */
async function loadTrigger<E>(path: string): Promise<(event: E) => Promise<E>> {
  let module: { handler?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { handler?: unknown };
  } catch (error) {
    throw new PlazaError(
      'ConfigurationError',
      `Cannot load the trigger ${path}: ${(error as Error).message}`,
    );
  }
  if (typeof module.handler !== 'function') {
    throw new PlazaError('ConfigurationError', `The trigger ${path} exports no handler function`);
  }
  return module.handler as (event: E) => Promise<E>;
}

/**
 * The hosted UI's app-client settings: callback and sign-out URLs (in development, by default, a Vite
 * dev server's and Plaza's own), and the external OIDC providers it federates to.
 */
export async function hostedUiSettings(
  config: Config,
  baseUrl: () => string,
  clock: Clock,
): Promise<HostedUiSettings> {
  const defaults = () => (config.production ? [] : ['http://localhost:5173/', `${baseUrl()}/`]);
  const { callbackUrls, logoutUrls, identityProviders, samlProviders } = config.hostedUi;
  // node-saml and its XML stack, loaded only for a pool that federates to a SAML provider.
  const saml =
    samlProviders.length === 0 ? undefined : await import('../adapters/saml/saml-identity-provider.ts');
  return {
    callbackUrls: () => callbackUrls ?? defaults(),
    logoutUrls: () => logoutUrls ?? defaults(),
    providers: new Map(
      identityProviders.map((provider) => [provider.name, federatedProvider(provider, clock)]),
    ),
    idpResponseUrl: () => `${baseUrl()}/oauth2/idpresponse`,
    ...(saml
      ? {
          saml: {
            providers: new Map(
              samlProviders.map((provider) => [
                provider.name,
                saml.samlIdentityProvider(provider, { now: clock.now }),
              ]),
            ),
            acsUrl: () => `${baseUrl()}/saml2/idpresponse`,
            serviceProviderMetadata: saml.samlServiceProviderMetadata,
          },
        }
      : {}),
  };
}

function federatedProvider(settings: IdentityProviderSettings, clock: Clock) {
  const options = { now: clock.now };
  switch (settings.type) {
    case 'oidc':
      return oidcIdentityProvider(settings, options);
    case 'facebook':
      return facebookIdentityProvider(settings, options);
    case 'apple':
      return appleIdentityProvider(settings, options);
  }
}

/** Where users sign in: the embedded pool, or Amazon Cognito's (AdminDeleteUser needs the server's IAM role). */
export async function directoryOf(
  config: Config,
  pool: Pick<IdentityServices, 'users' | 'clock' | 'onUserDeleted'> | undefined,
  aliases: UserAliases,
): Promise<UserDirectory> {
  if (config.identity.mode !== 'cognito' && pool) return aliasedDirectory(poolDirectory(pool), aliases);
  const { cognitoUserDirectory } = await import('../adapters/cognito/cognito-user-directory.ts');
  return aliasedDirectory(
    cognitoUserDirectory({ userPoolId: config.identity.userPoolId ?? '', region: config.region }),
    aliases,
  );
}
