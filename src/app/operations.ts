/**
 * What the CLI's commands work with, built from configuration as the server builds it: the same
 * stores, objects, directory and stream consumers, for an installation that exists (a command that
 * reads data never makes a new one). The commands hold no adapter of their own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { argon2PasswordHasher } from '../adapters/argon2/argon2-password-hasher.ts';
import { nodeIds } from '../adapters/ids/node-ids.ts';
import type { IdentityServices } from '../domain/identity/model.ts';
import type { PoolIdentity } from '../domain/identity/pool-identity.ts';
import { defaultDataExportSettings } from '../domain/privacy/data-export.ts';
import type { PrivacyServices } from '../domain/privacy/model.ts';
import type { MigrateServices } from '../domain/social/migrate-users.ts';
import { defaultSocialSettings, type SocialServices } from '../domain/social/model.ts';
import { userAliases } from '../domain/social/user-aliases.ts';
import type { Config } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import { readJsonFileSync } from '../platform/json-file.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import { systemClock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store/object-store.ts';
import type { UserDirectory } from '../ports/user-directory.ts';
import { directoryOf, openSigningKeys } from './identity.ts';
import { cdnInvalidator, openObjects } from './objects.ts';
import { dynamoDbSettings, openStores, tableDefinitions, type Stores } from './stores.ts';
import { dataLifecycleConsumer, feedFanOutConsumer, runConsumers } from './stream-consumers.ts';

/** The stores of an existing installation. */
export async function openExistingStores(config: Config): Promise<Stores> {
  if (config.db.engine === 'sqlite' && !existsSync(config.db.sqlite.path))
    throw new PlazaError(
      'BadInput',
      `No Plaza data at ${config.db.sqlite.path}: start the server first, or set DATA_DIR to an existing data directory`,
    );
  return openStores(config, systemClock, createMetrics({ defaultMetrics: false }));
}

export interface Operations {
  stores: Stores;
  objects: ObjectStore;
  social: SocialServices;
  privacy: PrivacyServices;
  /** Where users sign in: the embedded pool, or Amazon Cognito's. */
  directory: UserDirectory;
  /**
   * Runs the stream consumers a deletion's cascade needs (the data lifecycle and the feed's
   * fan-out) until they have handled every change, then stops them.
   */
  settleCascades(): Promise<void>;
  close(): Promise<void>;
}

export async function openOperations(config: Config): Promise<Operations> {
  const stores = await openExistingStores(config);
  const { objects } = await openObjects(
    config,
    () => config.publicUrl ?? `http://${config.host}:${config.port}`,
  );
  const clock = systemClock;
  const privacy: PrivacyServices = { store: stores.main, objects, cdn: cdnInvalidator(config), clock };
  const social: SocialServices = {
    store: stores.main,
    clock,
    ids: nodeIds(clock),
    settings: { ...defaultSocialSettings, ...config.social },
  };
  const logger = createLogger({ level: 'warn' });
  return {
    stores,
    objects,
    social,
    privacy,
    directory: await directoryOf(
      config,
      { users: stores.users, clock },
      userAliases(stores.main, poolIdOf(config)),
    ),
    async settleCascades() {
      const consumers = runConsumers(
        stores.main.changes,
        [
          dataLifecycleConsumer(privacy, {
            store: stores.main,
            objects,
            clock,
            logger,
            settings: { ...defaultDataExportSettings, ...config.dataExport },
            tmpDir: join(config.dataDir, 'tmp'),
          }),
          feedFanOutConsumer(social),
        ],
        { logger, metrics: createMetrics({ defaultMetrics: false }), clock },
      );
      // A cascade's removals are changes too (a post's likes after the post): two passes settle them.
      try {
        for (let round = 0; round < 2; round++) await consumers.drain();
      } finally {
        await consumers.stop();
      }
    },
    async close() {
      await objects.close();
      await stores.close();
    },
  };
}

/** This installation's user pool: Amazon Cognito's from configuration, or the embedded one's ('' before its first start). */
function poolIdOf(config: Config): string {
  if (config.identity.mode === 'cognito') return config.identity.userPoolId ?? '';
  const identity = readJsonFileSync(join(config.dataDir, 'identity', 'pool.json')) as
    PoolIdentity | undefined;
  return identity?.userPoolId ?? '';
}

/**
 * What the failover's user migration needs (ADR 0016): the pool to refill, through the Cognito
 * API (Amazon Cognito's, or a Plaza server's at `endpoint`), and the table to link users in.
 */
export async function openUserMigration(
  config: Config,
  target: { userPoolId: string; endpoint?: string },
): Promise<{ services: MigrateServices; close(): Promise<void> }> {
  const stores = await openExistingStores(config);
  const { cognitoMigrationPool } = await import('../adapters/cognito/cognito-migration-pool.ts');
  return {
    services: {
      pool: cognitoMigrationPool({ ...target, region: config.region }),
      aliases: userAliases(stores.main, target.userPoolId),
    },
    close: () => stores.close(),
  };
}

/** What importing users into the embedded pool needs: its id, its table, the password hasher. */
export async function openEmbeddedPool(config: Config): Promise<{
  services: Pick<IdentityServices, 'users' | 'clock' | 'ids' | 'hasher' | 'pool'>;
  close(): Promise<void>;
}> {
  if (config.identity.mode === 'cognito')
    throw new PlazaError(
      'BadInput',
      'PLAZA_IDENTITY is cognito: import into Amazon Cognito with its import job',
    );
  const identity = readJsonFileSync(join(config.dataDir, 'identity', 'pool.json')) as
    PoolIdentity | undefined;
  if (!identity)
    throw new PlazaError('BadInput', `No user pool under ${config.dataDir}: start Plaza once first`);
  const stores = await openExistingStores(config);
  return {
    services: {
      users: stores.users,
      clock: systemClock,
      ids: nodeIds(systemClock),
      hasher: argon2PasswordHasher(),
      // Users' SRP verifiers are bound to the pool's id; no token is issued here, so no issuer.
      pool: { ...identity, issuer: '', ...config.userPool },
    },
    close: () => stores.close(),
  };
}

/** Creates the tables where they are missing; the lines say what was done. */
export async function provisionTables(config: Config): Promise<string[]> {
  const tables = tableDefinitions(config);
  if (config.db.engine === 'dynamodb') {
    const { provisionDynamoDbTables } = await import('../adapters/dynamodb/dynamodb-stores.ts');
    return provisionDynamoDbTables(dynamoDbSettings(config), [tables.main, tables.users]);
  }
  // Opening the SQLite stores creates any missing table; that is all there is to do.
  const stores = await openStores(config, systemClock, createMetrics({ defaultMetrics: false }));
  await stores.close();
  return [`Tables ${tables.main.name} and ${tables.users.name} are ready in ${config.db.sqlite.path}.`];
}

/** A new token signing key now (`plaza keys rotate`); resolves to the key ids the JWKS publishes. */
export async function rotateSigningKey(config: Config): Promise<string[]> {
  const path = join(config.dataDir, 'identity', 'signing-keys.json');
  if (!existsSync(path)) {
    throw new PlazaError('BadInput', `No signing keys under ${config.dataDir}: start Plaza once first`);
  }
  const signer = await openSigningKeys(config, systemClock.now);
  await signer.rotate();
  return signer.jwks().keys.map((key) => String(key.kid));
}
