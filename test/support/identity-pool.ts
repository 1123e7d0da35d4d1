/**
 * The identity pool's services for the tests beside its operations: the user pool's table on a
 * SQLite file, a manual clock, a signing key in a temporary folder whose ID tokens stand in for
 * the user pool's, and the local roles.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet } from 'jose';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { joseTokenSigner } from '../../src/adapters/jose/jose-token-signer.ts';
import { jwksIdentityVerifier } from '../../src/adapters/jose/jwks-identity-verifier.ts';
import { identityPoolIdFor, type IdentityPoolServices } from '../../src/domain/identity-pools/model.ts';
import { localRoleArns } from '../../src/domain/identity-pools/policies.ts';
import { sessionTokens } from '../../src/domain/identity-pools/session-tokens.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import type { ItemStore } from '../../src/ports/item-store/item-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

export interface TestIdentityPool {
  services: IdentityPoolServices;
  clock: ManualClock;
  poolId: string;
  userPoolId: string;
  /** The user pool's key in `Logins`. */
  provider: string;
  /** An ID token of the user pool's app client for `sub`; `overrides` replace its claims. */
  idToken(sub: string, overrides?: Record<string, unknown>): Promise<string>;
  /** `Logins` naming the user `sub` of the user pool. */
  logins(sub: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * The identity pool's services on a given store: a signing key under `dir` whose ID tokens stand in
 * for the user pool's, the local roles, and `Logins` under `providerName()` (a test may move it, as
 * a server's address moves).
 */
export async function identityPoolOn(
  store: ItemStore,
  options: { clock: ManualClock; dir: string; providerName?: () => string },
): Promise<Omit<TestIdentityPool, 'close'>> {
  const { clock, dir } = options;
  const userPoolId = 'us-west-1_TestPool1';
  const clientId = 'testclient0000000000000001';
  const issuer = `http://127.0.0.1:4000/${userPoolId}`;
  const provider = `127.0.0.1:4000/${userPoolId}`;
  const poolId = identityPoolIdFor('us-west-1', userPoolId);
  const signer = await joseTokenSigner({ path: join(dir, 'keys.json'), now: clock.now });
  const verifier = jwksIdentityVerifier({
    issuer,
    clientIds: [clientId],
    keys: createLocalJWKSet(signer.jwks() as Parameters<typeof createLocalJWKSet>[0]),
    clock,
    cacheSize: 0,
  });
  const services: IdentityPoolServices = {
    store,
    clock,
    ids: nodeIds(clock),
    verifier,
    signer,
    tokens: sessionTokens(randomBytes(32)),
    settings: {
      identityPoolId: poolId,
      identityPoolName: 'plaza',
      region: 'us-west-1',
      allowGuests: true,
      providerName: options.providerName ?? (() => provider),
      userPoolId,
      clientId,
      roles: localRoleArns(),
      credentialSeconds: 3600,
      openIdIssuer: () => 'http://127.0.0.1:4000',
    },
  };
  const idToken = (sub: string, overrides: Record<string, unknown> = {}) =>
    signer.sign({ sub, aud: clientId, iss: issuer, token_use: 'id', ...overrides }, 3600);
  return {
    services,
    clock,
    poolId,
    userPoolId,
    provider,
    idToken,
    logins: async (sub) => ({ [provider]: await idToken(sub) }),
  };
}

/** The identity pool on the user pool's table in a SQLite file of its own, with a manual clock. */
export async function testIdentityPool(): Promise<TestIdentityPool> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-identity-pool-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const { db, store } = openSqliteStore(join(dir, 'pool.db'), { clock });
  return {
    ...(await identityPoolOn(store, { clock, dir })),
    async close() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
