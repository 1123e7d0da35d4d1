import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import type { Item, ItemStore, Key } from '../../ports/item-store/item-store.ts';
import { archiveKey, defaultDataExportSettings, exportKey } from './data-export.ts';
import { getDataExport } from './get-data-export.ts';

const owner = 'a1b2c3d4-0000-4000-8000-000000000001';
const exportId = '01JZ0000000000000000000000';

function services(item: Item | undefined, clock: ManualClock) {
  const signed: { key: string; expiresAt: Date }[] = [];
  const store = {
    get: async (key: Key) => ({
      item: item && key.PK === item.PK && key.SK === item.SK ? item : undefined,
      consumed: { readUnits: 1, writeUnits: 0 },
    }),
  } as unknown as ItemStore;
  return {
    signed,
    services: {
      store,
      clock,
      settings: defaultDataExportSettings,
      signUrl: (key: string, expiresAt: Date) => {
        signed.push({ key, expiresAt });
        return `https://media.example/${key}?Expires=${expiresAt.getTime() / 1000}`;
      },
    },
  };
}

describe('getDataExport', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const stored = (fields: Item): Item => ({
    ...exportKey(owner, exportId),
    id: exportId,
    userId: owner,
    createdAt: '2026-06-01T00:00:00.000Z',
    ...fields,
  });

  it('has no URL until the export is READY', async () => {
    const { services: s, signed } = services(stored({ status: 'PENDING' }), clock);
    expect(await getDataExport(owner, exportId, s)).toEqual({
      id: exportId,
      status: 'PENDING',
      url: null,
      expiresAt: null,
    });
    expect(signed).toEqual([]);
  });

  it('signs the zip for an hour, never past the export expiry', async () => {
    const inADay = new Date(clock.now() + 24 * 3600 * 1000).toISOString();
    const ready = services(stored({ status: 'READY', expiresAt: inADay }), clock);
    const view = await getDataExport(owner, exportId, ready.services);
    expect(view).toMatchObject({ status: 'READY', expiresAt: inADay });
    expect(view?.url).toMatch(/^https:\/\/media\.example\/exports\//);
    expect(ready.signed).toEqual([
      { key: archiveKey(owner, exportId), expiresAt: new Date(clock.now() + 3600 * 1000) },
    ]);

    const soon = new Date(clock.now() + 10 * 60 * 1000);
    const leaving = services(stored({ status: 'READY', expiresAt: soon.toISOString() }), clock);
    await getDataExport(owner, exportId, leaving.services);
    expect(leaving.signed[0]?.expiresAt).toEqual(soon);
  });

  it('finds nothing for another user, or once the export has expired', async () => {
    const past = new Date(clock.now()).toISOString();
    const other = 'a1b2c3d4-0000-4000-8000-000000000002';
    const ready = services(stored({ status: 'READY', expiresAt: '2026-06-05T00:00:00.000Z' }), clock);
    expect(await getDataExport(other, exportId, ready.services)).toBeUndefined();
    const expired = services(stored({ status: 'READY', expiresAt: past }), clock);
    expect(await getDataExport(owner, exportId, expired.services)).toBeUndefined();
  });

  it('refuses ids that are not export ids', async () => {
    const { services: s } = services(undefined, clock);
    await expect(getDataExport(owner, 'EXPORT#x', s)).rejects.toMatchObject({ code: 'BadInput' });
    await expect(getDataExport('', exportId, s)).rejects.toMatchObject({ code: 'BadInput' });
  });
});
