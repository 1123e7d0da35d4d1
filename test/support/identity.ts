/**
 * The embedded user pool's services for the tests beside its operations: the pool's table on a
 * SQLite file, a manual clock, argon2 at its cheapest, a signing key in a temporary folder, and
 * the outbox mailer (read back with `mail`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argon2PasswordHasher } from '../../src/adapters/argon2/argon2-password-hasher.ts';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { joseTokenSigner } from '../../src/adapters/jose/jose-token-signer.ts';
import { jwksIdentityVerifier } from '../../src/adapters/jose/jwks-identity-verifier.ts';
import { outboxMailer } from '../../src/adapters/outbox/outbox-mailer.ts';
import { readOutbox, type SentMail } from '../../src/adapters/outbox/outbox-reader.ts';
import { adminCreateUser } from '../../src/domain/identity/admin-users.ts';
import { revocationsClaim, userKeys, type IdentityServices } from '../../src/domain/identity/model.ts';
import type { IdentityVerifier } from '../../src/ports/identity-verifier.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { createLocalJWKSet } from 'jose';
import { openSqliteStore } from './sqlite-store.ts';

export interface TestPool {
  services: IdentityServices;
  clock: ManualClock;
  /** A user made by an administrator (FORCE_CHANGE_PASSWORD, no invitation mailed); returns the sub. */
  user(email: string): Promise<string>;
  /** Checks the pool's tokens as the app does (its JWKS, sessions ended by revocations), uncached. */
  verifier: IdentityVerifier;
  /** What was mailed to the address, the newest first. */
  mail(to: string): Promise<SentMail[]>;
  close(): Promise<void>;
}

export async function testPool(): Promise<TestPool> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-pool-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const { db, store } = openSqliteStore(join(dir, 'pool.db'), { clock });
  const userPoolId = 'us-west-1_TestPool1';
  const services: IdentityServices = {
    users: store,
    clock,
    ids: nodeIds(clock),
    hasher: argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, concurrency: 8 }),
    signer: await joseTokenSigner({ path: join(dir, 'keys.json'), now: clock.now }),
    mailer: outboxMailer({ dir: join(dir, 'outbox'), clock, logger: createLogger({ level: 'silent' }) }),
    pool: {
      userPoolId,
      clientId: 'testclient0000000000000001',
      issuer: `http://127.0.0.1/${userPoolId}`,
      passwordMinLength: 8,
      accessTokenSeconds: 3600,
      idTokenSeconds: 3600,
      refreshTokenSeconds: 30 * 24 * 3600,
      confirmationCodeSeconds: 24 * 3600,
      lockoutAfterFailures: 5,
      lockoutMaxSeconds: 900,
      mfa: 'OPTIONAL',
    },
  };
  const verifier = jwksIdentityVerifier({
    issuer: services.pool.issuer,
    clientIds: [services.pool.clientId],
    keys: createLocalJWKSet(services.signer.jwks() as Parameters<typeof createLocalJWKSet>[0]),
    clock,
    cacheSize: 0,
    validAfter: async (sub) => {
      const { item } = await store.get(userKeys.user(sub), { consistent: true });
      if (!item) return Number.POSITIVE_INFINITY;
      return { after: Number(item.validAfter ?? 0), revocations: Number(item.revocations ?? 0) };
    },
    revocationsClaim,
  });
  return {
    services,
    clock,
    verifier,
    async user(email) {
      const { User } = await adminCreateUser(
        { Username: email, TemporaryPassword: 'Temporary-pass-1', MessageAction: 'SUPPRESS' },
        services,
      );
      return User.Username;
    },
    mail: (to) => readOutbox(join(dir, 'outbox'), { to, limit: 100 }),
    async close() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
