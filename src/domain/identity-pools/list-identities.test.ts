import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { identityPoolOn } from '../../../test/support/identity-pool.ts';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import { getId } from './get-id.ts';
import { listIdentities } from './list-identities.ts';

// A table of its own, so the listing holds exactly this test's identities.
const dir = mkdtempSync(join(tmpdir(), 'plaza-list-identities-'));
const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
const { db, store } = openSqliteStore(join(dir, 'pool.db'), { clock });
let pool: Awaited<ReturnType<typeof identityPoolOn>>;
const made: string[] = [];
beforeAll(async () => {
  pool = await identityPoolOn(store, { clock, dir });
  for (let i = 0; i < 4; i++)
    made.push((await getId({ IdentityPoolId: pool.poolId }, pool.services)).IdentityId);
  const Logins = await pool.logins(randomUUID());
  made.push((await getId({ IdentityPoolId: pool.poolId, Logins }, pool.services)).IdentityId);
  made.sort();
});
afterAll(async () => {
  await store.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('listIdentities', () => {
  it('lists every identity once, in id order, a page at a time', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await listIdentities(
        { IdentityPoolId: pool.poolId, MaxResults: 2, ...(NextToken ? { NextToken } : {}) },
        pool.services,
      );
      expect(page.IdentityPoolId).toBe(pool.poolId);
      expect(page.Identities.length).toBeLessThanOrEqual(2);
      seen.push(...page.Identities.map((identity) => identity.IdentityId));
      NextToken = page.NextToken;
      pages += 1;
    } while (NextToken);
    expect(seen).toEqual(made);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('describes each identity as DescribeIdentity does', async () => {
    const { Identities } = await listIdentities(
      { IdentityPoolId: pool.poolId, MaxResults: 60 },
      pool.services,
    );
    expect(Identities.filter((identity) => identity.Logins.length > 0)).toHaveLength(1);
    expect(Identities.flatMap((identity) => identity.Logins)).toEqual([pool.provider]);
  });

  it('refuses a page size outside 1–60, a bad token and another pool', async () => {
    for (const MaxResults of [0, 61, 1.5])
      expect(
        await rejectionMessage(
          listIdentities({ IdentityPoolId: pool.poolId, MaxResults }, pool.services),
          'InvalidParameterException',
        ),
      ).toBe('MaxResults must be between 1 and 60.');
    await expect(
      listIdentities({ IdentityPoolId: pool.poolId, MaxResults: 5, NextToken: '%%%' }, pool.services),
    ).rejects.toMatchObject({ status: 400 });
    await failsWith(
      listIdentities(
        { IdentityPoolId: 'us-west-1:00000000-0000-4000-a000-000000000000', MaxResults: 5 },
        pool.services,
      ),
      'ResourceNotFoundException',
    );
  });
});
