import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import { apiKeyVerifier, createApiKey } from './api-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-api-keys-'));
const clock = new ManualClock(Date.parse('2026-12-07T08:00:00Z'));
const { db, store } = openSqliteStore(join(dir, 'users.db'), { clock });
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
let made = 0;
const ids = {
  ulid: () => `01KDHZ8Q00000000000000${String(made++).padStart(4, '0')}`,
  uuid: () => '00000000-0000-4000-8000-000000000000',
  secret: (bytes: number) => Buffer.alloc(bytes, made).toString('base64url'),
};
const services = { store, clock, ids };

/** Every item written so far, as the table's change stream carries them. */
async function written(): Promise<StreamRecord[]> {
  const records: StreamRecord[] = [];
  const reader = store.changes.subscribe(`api-keys-${made}`, async (batch) => void records.push(...batch));
  await reader.drain();
  await reader.stop();
  return records;
}
const day = 24 * 3600 * 1000;

describe('createApiKey and apiKeyVerifier', () => {
  it('make an AppSync-style key that verifies until it expires, and keep only its hash', async () => {
    const created = await createApiKey({ description: 'public site', lifetimeMs: 7 * day }, services);
    expect(created).toMatchObject({ description: 'public site', expiresAt: '2026-12-14T08:00:00.000Z' });
    expect(created.key).toMatch(/^da2-[A-Za-z0-9_-]{20,64}$/);
    const verifier = apiKeyVerifier(services);
    expect(await verifier.verify(created.key)).toEqual({ kind: 'apiKey', keyId: created.id });
    const stored = JSON.stringify(await written());
    expect(stored).toContain(created.id);
    expect(stored).not.toContain(created.key.slice(4));
    clock.advance(7 * day);
    await failsWith(verifier.verify(created.key), 'Unauthorized');
  });

  it('refuse keys never made, not in the form, and lifetimes beyond a year or none', async () => {
    const verifier = apiKeyVerifier(services);
    for (const key of [`da2-${'a'.repeat(27)}`, 'da2-short', 'abc', 42, undefined])
      await failsWith(verifier.verify(key as string), 'Unauthorized');
    for (const lifetimeMs of [0, -1, 366 * day, Number.NaN])
      await failsWith(createApiKey({ description: 'x', lifetimeMs }, services), 'BadInput');
  });
});
