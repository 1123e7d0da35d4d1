import { afterEach, describe, expect, it } from 'vitest';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { costReport, type MeasuredUsage } from './cost.ts';
import { measureCost } from './measure-cost.ts';

let pool: TestPool;
afterEach(() => pool.close());

const GB = 1024 ** 3;
const measured: MeasuredUsage = {
  version: 1,
  since: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T01:00:00.000Z',
  measuredSeconds: 3600,
  totals: {
    readUnits: 1000,
    writeUnits: 200,
    apiRequests: 500,
    realtimeMinutes: 60,
    s3Requests: 10,
    cdnRequests: 100,
    cdnBytes: GB,
  },
};

describe('measureCost', () => {
  it("prices the measured usage with the pool's users and the stored bytes, notes kept", async () => {
    pool = await testPool();
    for (const name of ['ada', 'bob', 'cy']) await pool.user(`${name}@example.com`);
    const report = await measureCost(
      { mau: 1000 },
      {
        users: pool.services.users,
        measuredUsage: async () => measured,
        storedBytes: async () => ({
          tableBytes: 2 * GB,
          objectBytes: 10 * GB,
          notes: ['objects counted on disk'],
        }),
        prices: { cognitoPerMau: 0.01 },
      },
    );
    expect(report).toEqual(
      costReport({
        measured,
        holdings: { users: 3, tableBytes: 2 * GB, objectBytes: 10 * GB },
        prices: { cognitoPerMau: 0.01 },
        projection: { mau: 1000 },
        notes: ['objects counted on disk'],
      }),
    );
    expect(report.holdings.users).toBe(3);
    expect(report.projection).toMatchObject({ mau: 1000, factor: 1000 / 3 });
    expect(report.notes).toContain('objects counted on disk');
  });

  it('says nothing was measured yet on a server that has not run', async () => {
    pool = await testPool();
    const report = await measureCost(
      {},
      {
        users: pool.services.users,
        measuredUsage: async () => undefined,
        storedBytes: async () => ({ tableBytes: 0, objectBytes: 0 }),
        prices: {},
      },
    );
    expect(report.holdings).toEqual({ users: 0, tableBytes: 0, objectBytes: 0 });
    expect(report.notes.join(' ')).toMatch(/Nothing measured yet/);
  });
});
