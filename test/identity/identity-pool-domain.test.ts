/**
 * The identity pool's operations on each engine (SQLite, DynamoDB Local): guest identities, the
 * same identity on every sign-in, a guest merged into the signed-in identity, credentials whose
 * session token Plaza alone can open, unlinking, listing, and Cognito's refusals.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIdentity } from '../../src/domain/identity-pools/describe-identity.ts';
import { getCredentialsForIdentity } from '../../src/domain/identity-pools/get-credentials-for-identity.ts';
import { getId } from '../../src/domain/identity-pools/get-id.ts';
import { getOpenIdToken } from '../../src/domain/identity-pools/get-open-id-token.ts';
import { listIdentities } from '../../src/domain/identity-pools/list-identities.ts';
import type { IdentityPoolServices } from '../../src/domain/identity-pools/model.ts';
import { localRoleArns } from '../../src/domain/identity-pools/policies.ts';
import { unlinkIdentity } from '../../src/domain/identity-pools/unlink-identity.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { engines, type EngineHarness } from '../item-store/engines.ts';
import { failsWith } from '../support/fails-with.ts';
import { identityPoolOn, type TestIdentityPool } from '../support/identity-pool.ts';

const userPoolId = 'us-west-1_TestPool1';
const clientId = 'testclient0000000000000001';
const provider = `127.0.0.1:4000/${userPoolId}`;
// The Logins key follows the server's address, which a test moves.
let providerName = provider;

describe.each(engines().map((open, i) => [i === 0 ? 'sqlite' : 'dynamodb', open] as const))(
  'the identity pool on %s',
  (_engine, open) => {
    let harness: EngineHarness;
    let services: IdentityPoolServices;
    let poolId: string;
    let logins: (sub: string) => Promise<Record<string, string>>;
    let idToken: TestIdentityPool['idToken'];
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    const dir = mkdtempSync(join(tmpdir(), 'plaza-identity-pool-'));

    beforeAll(async () => {
      harness = await open();
      ({ services, poolId, logins, idToken } = await identityPoolOn(harness.store, {
        clock,
        dir,
        providerName: () => providerName,
      }));
    });
    afterAll(async () => {
      await harness?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('gives a guest an identity and the unauthenticated role for an hour', async () => {
      const { IdentityId } = await getId({ IdentityPoolId: poolId }, services);
      expect(IdentityId).toMatch(/^us-west-1:[0-9a-f-]{36}$/);
      const { Credentials } = await getCredentialsForIdentity({ IdentityId }, services);
      expect(Credentials.AccessKeyId).toMatch(/^ASIA[0-9A-Z]{16}$/);
      expect(Credentials.SecretKey).toHaveLength(40);
      expect(Credentials.Expiration).toBe(clock.now() / 1000 + 3600);
      const opened = services.tokens.open(Credentials.SessionToken, clock.now());
      expect(opened?.grant).toMatchObject({ identityId: IdentityId, role: 'unauthenticated' });
      expect(opened?.secretAccessKey).toBe(Credentials.SecretKey);
      expect(Credentials.SessionToken).not.toContain(Credentials.SecretKey);
      expect(services.tokens.open(Credentials.SessionToken, clock.now() + 3600_000)).toBeUndefined();
      const tampered = Credentials.SessionToken.replace(/.(?=\.[^.]+$)/, (c) => (c === 'A' ? 'B' : 'A'));
      expect(services.tokens.open(tampered, clock.now())).toBeUndefined();
      expect(await describeIdentity({ IdentityId }, services)).toMatchObject({ IdentityId, Logins: [] });
    });

    it('gives a signed-in user the same identity every time, with the authenticated role', async () => {
      const sub = randomUUID();
      const first = await getId({ IdentityPoolId: poolId, Logins: await logins(sub) }, services);
      clock.advance(1000);
      const again = await getId({ IdentityPoolId: poolId, Logins: await logins(sub) }, services);
      expect(again.IdentityId).toBe(first.IdentityId);
      const other = await getId({ IdentityPoolId: poolId, Logins: await logins(randomUUID()) }, services);
      expect(other.IdentityId).not.toBe(first.IdentityId);
      const { Credentials } = await getCredentialsForIdentity(
        { IdentityId: first.IdentityId, Logins: await logins(sub) },
        services,
      );
      expect(services.tokens.open(Credentials.SessionToken, clock.now())?.grant).toMatchObject({
        identityId: first.IdentityId,
        role: 'authenticated',
        roleArn: localRoleArns().authenticated,
      });
      // Without its login, or with another user's, a signed-in identity gets nothing.
      await failsWith(
        getCredentialsForIdentity({ IdentityId: first.IdentityId }, services),
        'NotAuthorizedException',
      );
      await failsWith(
        getCredentialsForIdentity(
          { IdentityId: first.IdentityId, Logins: await logins(randomUUID()) },
          services,
        ),
        'NotAuthorizedException',
      );
      const token = await getOpenIdToken(
        { IdentityId: first.IdentityId, Logins: await logins(sub) },
        services,
      );
      const claims = JSON.parse(Buffer.from(token.Token.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      expect(claims).toMatchObject({ sub: first.IdentityId, aud: poolId, amr: ['authenticated', provider] });
    });

    it('makes one identity of two first sign-ins at once', async () => {
      const sub = randomUUID();
      const answers = await Promise.all(
        [1, 2, 3].map(async () => getId({ IdentityPoolId: poolId, Logins: await logins(sub) }, services)),
      );
      expect(new Set(answers.map((answer) => answer.IdentityId)).size).toBe(1);
    });

    it('links a login to a guest identity, and merges a guest into the identity a login already has', async () => {
      const guest = (await getId({ IdentityPoolId: poolId }, services)).IdentityId;
      const newcomer = randomUUID();
      const linked = await getCredentialsForIdentity(
        { IdentityId: guest, Logins: await logins(newcomer) },
        services,
      );
      expect(linked.IdentityId).toBe(guest);
      expect(
        (await getId({ IdentityPoolId: poolId, Logins: await logins(newcomer) }, services)).IdentityId,
      ).toBe(guest);
      // A returning user's guest identity is merged into theirs, and stops existing.
      const returning = randomUUID();
      const theirs = (await getId({ IdentityPoolId: poolId, Logins: await logins(returning) }, services))
        .IdentityId;
      const secondGuest = (await getId({ IdentityPoolId: poolId }, services)).IdentityId;
      const merged = await getCredentialsForIdentity(
        { IdentityId: secondGuest, Logins: await logins(returning) },
        services,
      );
      expect(merged.IdentityId).toBe(theirs);
      await failsWith(describeIdentity({ IdentityId: secondGuest }, services), 'ResourceNotFoundException');
    });

    it('unlinks a login: the identity is a guest again and the user gets a new one', async () => {
      const sub = randomUUID();
      const { IdentityId } = await getId({ IdentityPoolId: poolId, Logins: await logins(sub) }, services);
      await unlinkIdentity({ IdentityId, Logins: await logins(sub), LoginsToRemove: [provider] }, services);
      expect((await describeIdentity({ IdentityId }, services)).Logins).toEqual([]);
      const next = await getId({ IdentityPoolId: poolId, Logins: await logins(sub) }, services);
      expect(next.IdentityId).not.toBe(IdentityId);
    });

    it('keeps a user’s identity when the server’s address, and so the Logins key, changes', async () => {
      const sub = randomUUID();
      const before = await getId({ IdentityPoolId: poolId, Logins: await logins(sub) }, services);
      providerName = `127.0.0.1:5000/${userPoolId}`;
      try {
        const token = await idToken(sub);
        const after = await getId({ IdentityPoolId: poolId, Logins: { [providerName]: token } }, services);
        expect(after.IdentityId).toBe(before.IdentityId);
        expect((await describeIdentity(after, services)).Logins).toEqual([providerName]);
        await failsWith(
          getId({ IdentityPoolId: poolId, Logins: { [provider]: token } }, services),
          'NotAuthorizedException',
        );
      } finally {
        providerName = provider;
      }
    });

    it('lists the pool’s identities a page at a time', async () => {
      const seen = new Set<string>();
      let NextToken: string | undefined;
      do {
        const page = await listIdentities({ IdentityPoolId: poolId, MaxResults: 3, NextToken }, services);
        expect(page.Identities.length).toBeLessThanOrEqual(3);
        for (const identity of page.Identities) seen.add(identity.IdentityId);
        NextToken = page.NextToken;
      } while (NextToken);
      expect(seen.size).toBeGreaterThanOrEqual(8);
      await failsWith(
        listIdentities({ IdentityPoolId: poolId, MaxResults: 3, NextToken: 'forged' }, services),
        'InvalidParameterException',
      );
    });

    it('answers bad input as Cognito does', async () => {
      await failsWith(
        getId({ IdentityPoolId: 'us-west-1:00000000-0000-0000-0000-000000000000' }, services),
        'ResourceNotFoundException',
      );
      await failsWith(
        getCredentialsForIdentity({ IdentityId: 'us-west-1:00000000-0000-0000-0000-000000000000' }, services),
        'ResourceNotFoundException',
      );
      await failsWith(
        getId({ IdentityPoolId: poolId, Logins: { [provider]: 'not a token' } }, services),
        'NotAuthorizedException',
      );
      await failsWith(
        getId(
          { IdentityPoolId: poolId, Logins: { 'accounts.google.com': await idToken(randomUUID()) } },
          services,
        ),
        'NotAuthorizedException',
      );
      const expired = await idToken(randomUUID());
      clock.advance(3601_000);
      await failsWith(
        getId({ IdentityPoolId: poolId, Logins: { [provider]: expired } }, services),
        'NotAuthorizedException',
      );
      const access = await idToken(randomUUID(), { token_use: 'access', client_id: clientId });
      await failsWith(
        getId({ IdentityPoolId: poolId, Logins: { [provider]: access } }, services),
        'NotAuthorizedException',
      );
      const { IdentityId } = await getId({ IdentityPoolId: poolId }, services);
      await failsWith(
        getCredentialsForIdentity({ IdentityId, CustomRoleArn: localRoleArns().authenticated }, services),
        'NotAuthorizedException',
      );
      const closed = { ...services, settings: { ...services.settings, allowGuests: false } };
      await failsWith(getId({ IdentityPoolId: poolId }, closed), 'NotAuthorizedException');
      await failsWith(getCredentialsForIdentity({ IdentityId }, closed), 'NotAuthorizedException');
    });
  },
);
