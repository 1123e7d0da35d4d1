/** The request rules on the SQLite engine with a manual clock: one export at a time, three a day, one of two at once. */
import { openSqliteStore } from '../support/sqlite-store.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import type { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { isPlazaError } from '../../src/platform/errors.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import {
  defaultDataExportSettings,
  exportKey,
  type DataExportServices,
} from '../../src/domain/privacy/data-export.ts';
import { requestDataExport } from '../../src/domain/privacy/request-data-export.ts';

const hour = 3600 * 1000;
const user = 'a1b2c3d4-0000-4000-8000-000000000001';

async function refused(promise: Promise<unknown>): Promise<{ code: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isPlazaError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('requestDataExport', () => {
  let store: SqliteItemStore;
  let services: Pick<DataExportServices, 'store' | 'clock' | 'ids' | 'settings'>;
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    ({ store } = openSqliteStore(':memory:', { clock }));
    services = { store, clock, ids: nodeIds(clock), settings: defaultDataExportSettings };
  });
  afterEach(() => store.close());

  const finish = (id: string, status: 'READY' | 'FAILED') =>
    store.update({ key: exportKey(user, id), set: { status } });

  it('writes a PENDING export with a TTL past its lifetime', async () => {
    const requested = await requestDataExport(user, services);
    expect(requested).toMatchObject({
      userId: user,
      status: 'PENDING',
      createdAt: '2026-06-01T00:00:00.000Z',
    });
    const { item } = await store.get(exportKey(user, requested.id), { consistent: true });
    expect(item).toMatchObject({ id: requested.id, status: 'PENDING' });
    expect(Number(item?.ttl) * 1000).toBeGreaterThan(clock.now() + defaultDataExportSettings.lifetimeMs);
  });

  it('refuses a new request while one is being built, unless that one is stale', async () => {
    const first = await requestDataExport(user, services);
    clock.advance(10 * 60 * 1000);
    expect(await refused(requestDataExport(user, services))).toEqual({
      code: 'Conflict',
      details: { exportId: first.id },
    });
    clock.advance(defaultDataExportSettings.pendingTimeoutMs);
    expect((await requestDataExport(user, services)).status).toBe('PENDING');
  });

  it('allows three a day, failed ones aside, and says when the next one may be asked for', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const requested = await requestDataExport(user, services);
      await finish(requested.id, 'READY');
      made.push(requested.id);
      clock.advance(hour);
    }
    const refusal = await refused(requestDataExport(user, services));
    expect(refusal).toEqual({
      code: 'LimitExceededException',
      details: { retryAfter: '2026-06-02T00:00:00.000Z' },
    });
    // A failed export does not count against the user.
    await finish(made[0] as string, 'FAILED');
    const again = await requestDataExport(user, services);
    await finish(again.id, 'READY');
    expect((await refused(requestDataExport(user, services))).code).toBe('LimitExceededException');
    // 24 hours after the second one, one more.
    clock.set(Date.UTC(2026, 5, 2, 1) + 1);
    expect((await requestDataExport(user, services)).status).toBe('PENDING');
  });

  it('lets one of two simultaneous requests through', async () => {
    const outcomes = await Promise.allSettled([
      requestDataExport(user, services),
      requestDataExport(user, services),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const [rejection] = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect((rejection as PromiseRejectedResult).reason).toMatchObject({ code: 'Conflict' });
  });

  it('refuses a caller that is not a user id', async () => {
    expect((await refused(requestDataExport('../admin', services))).code).toBe('BadInput');
  });
});
