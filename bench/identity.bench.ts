/**
 * The embedded user pool: password sign-ins per second through Plaza's
 * InitiateAuth against bare argon2id verifies with the same parameters and
 * concurrency, and access-token verifications per second on the API path
 * (the verified-token cache, plus the per-user sign-out check), and what that check costs;
 * the identity pool's credentials per second and the cost of a SigV4 check (identity-pool.ts);
 * passkey sign-ins per second beside bare @simplewebauthn/server verification (passkeys.ts).
 */
import argon2 from 'argon2';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app/app.ts';
import { initiateAuth } from '../src/domain/identity/initiate-auth.ts';
import { owaspArgon2 } from '../src/adapters/argon2/argon2-password-hasher.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { median, printTable, throughput } from './harness.ts';
import { jwksIdentityVerifier } from '../src/adapters/jose/jwks-identity-verifier.ts';
import { signedInUser } from './users.ts';
import { identityPoolRows } from './identity-pool.ts';
import { passkeyRows } from './passkeys.ts';

/** Runs `op` with `concurrency` in flight for `seconds`; returns completed operations per second. */

export async function identityBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-identity-'));
  const config = loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' }, dir);
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
  const url = await app.listen();
  const services = app.identity.services;
  const verifier = app.identity.verifier;
  if (!services || !verifier) throw new Error('The benchmark needs the embedded user pool');
  const password = 'correct horse battery staple';
  const email = 'bench@example.com';
  const { accessToken } = await signedInUser(email, password, services);

  const concurrency = owaspArgon2.concurrency;
  const bareHash = await argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: owaspArgon2.memoryCost,
    timeCost: owaspArgon2.timeCost,
    parallelism: 1,
  });
  const bare = await throughput(() => argon2.verify(bareHash, password), concurrency, 3);
  const plaza = await throughput(
    () =>
      initiateAuth(
        {
          ClientId: services.pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        },
        services,
      ),
    concurrency,
    3,
  );

  const cached = await throughput(() => verifier.verify(accessToken), 1, 2);
  // The bare reference: a full RS256 signature check with jose on every call.
  const keys = createLocalJWKSet(services.signer.jwks() as JSONWebKeySet);
  // What the revocation check costs: the same verifier (and its verified-token cache) without it.
  const unchecked = jwksIdentityVerifier({
    issuer: () => services.pool.issuer,
    clientIds: [services.pool.clientId],
    keys,
    clock: app.clock,
  });
  // Alternating rounds, so a busy moment of the machine falls on both.
  const withCheck: number[] = [];
  const withoutCheck: number[] = [];
  for (let round = 0; round < 3; round++) {
    withoutCheck.push(await throughput(() => unchecked.verify(accessToken), 1, 1));
    withCheck.push(await throughput(() => verifier.verify(accessToken), 1, 1));
  }
  const bareVerify = await throughput(() => jwtVerify(accessToken, keys, { algorithms: ['RS256'] }), 1, 2);
  const identityPool = await identityPoolRows(app, config);
  // The pool's relying party is localhost (it listens on a loopback address), so its passkeys come from there.
  const passkeys = await passkeyRows(app, `http://localhost:${new URL(url).port}`);
  printTable(
    `User pool (argon2id m=${owaspArgon2.memoryCost} KiB, t=${owaspArgon2.timeCost}, p=1, ${concurrency} at once)`,
    [
      {
        benchmark: 'password sign-in vs bare argon2id verify',
        plaza,
        bare,
        goal: '≥ 0.9× bare',
        ok: plaza >= 0.9 * bare,
      },
      {
        benchmark: 'access-token verification (API path) vs jose jwtVerify',
        plaza: cached,
        bare: bareVerify,
        goal: '≥ 20,000/s',
        ok: cached >= 20_000,
      },
      {
        benchmark: 'the same with its sign-out and revocation check vs without it (median of 3)',
        plaza: median(withCheck),
        bare: median(withoutCheck),
        goal: 'check ≤ 5% of throughput',
        ok: median(withCheck) >= 0.95 * median(withoutCheck),
      },
      ...identityPool,
      ...passkeys,
    ],
  );
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
