import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { ManualClock, systemClock } from '../../ports/clock.ts';
import type { StreamedUpload } from '../../ports/object-store/streamed-upload.ts';
import { csvRow, readCsv } from './csv.ts';
import { poolUserSource } from './export-users.ts';
import { csvHeader } from './get-csv-header.ts';
import { importUsers } from './import-users.ts';
import type { PoolSettings } from './model.ts';
import { storeUserPoolExport, userPoolExportKey } from './store-user-pool-export.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-pool-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pool of `count` users, made as `plaza users import` makes them. */
async function poolOf(name: string, count: number) {
  const users = openSqliteStore(join(dir, `${name}.db`)).store;
  const header = csvHeader();
  let csv = csvRow(header);
  for (let i = 0; i < count; i++)
    csv += csvRow(
      header.map((column) => ({ email: `user${i}@example.com`, name: `User, ${i}` })[column] ?? ''),
    );
  await importUsers(
    (async function* () {
      yield* readCsv(
        (async function* () {
          yield csv;
        })(),
      );
    })(),
    {
      users,
      clock: systemClock,
      ids: {
        uuid: randomUUID,
        ulid: randomUUID,
        secret: (bytes) => randomBytes(bytes).toString('base64url'),
      },
      hasher: { hash: async () => 'hash', verify: async () => false, hasCapacity: () => true },
      pool: { userPoolId: 'us-west-1_Export001' } as PoolSettings,
    },
  );
  return users;
}

/** Keeps what was uploaded, in memory: the tests' objects are small. */
function memoryUploads(): StreamedUpload & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    objects,
    async upload(key, chunks) {
      let text = '';
      for await (const chunk of chunks) text += chunk.toString();
      objects.set(key, text);
      return { key, size: Buffer.byteLength(text) };
    },
  };
}

function recordingLogger() {
  const lines: { fields: object; message: string }[] = [];
  const log = (fields: object, message: string) => lines.push({ fields, message });
  return { lines, logger: { trace: log, debug: log, info: log, warn: log, error: log, fatal: log } as never };
}

describe('storeUserPoolExport', () => {
  it("uploads Cognito's CSV of every user under the day's key, and logs how many", async () => {
    const users = await poolOf('all', 7);
    const uploads = memoryUploads();
    const { lines, logger } = recordingLogger();
    const clock = new ManualClock(Date.UTC(2026, 11, 5, 23, 59));
    const result = await storeUserPoolExport({ source: poolUserSource({ users }), uploads, clock, logger });
    const key = 'user-pool-exports/2026-12-05.csv';
    expect(result).toEqual({ key, users: 7, bytes: Buffer.byteLength(uploads.objects.get(key) ?? '') });
    const records = [];
    for await (const record of readCsv(
      (async function* () {
        yield uploads.objects.get(key) ?? '';
      })(),
    ))
      records.push(record.fields);
    expect(records[0]).toEqual(csvHeader());
    const emails = records.slice(1).map((fields) => fields[csvHeader().indexOf('email')]);
    expect(emails.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `user${i}@example.com`).sort());
    expect(lines).toEqual([
      { fields: { key, users: 7, bytes: result.bytes }, message: 'user pool exported' },
    ]);
  });

  it('writes the header alone for an empty pool', async () => {
    const uploads = memoryUploads();
    const { logger } = recordingLogger();
    const services = {
      source: poolUserSource({ users: await poolOf('empty', 0) }),
      uploads,
      clock: systemClock,
      logger,
    };
    const result = await storeUserPoolExport(services);
    expect(result.users).toBe(0);
    expect(uploads.objects.get(result.key)).toBe(csvRow(csvHeader()));
  });

  it('reports a failed upload and logs no export', async () => {
    const { lines, logger } = recordingLogger();
    const uploads: StreamedUpload = { upload: async () => Promise.reject(new Error('S3 is down')) };
    const source = poolUserSource({ users: await poolOf('failing', 1) });
    await expect(storeUserPoolExport({ source, uploads, clock: systemClock, logger })).rejects.toThrow(
      'S3 is down',
    );
    expect(lines).toEqual([]);
  });

  it('names one object a day, in UTC', () => {
    expect(userPoolExportKey(new Date('2026-03-01T00:30:00+02:00'))).toBe('user-pool-exports/2026-02-28.csv');
  });
});
