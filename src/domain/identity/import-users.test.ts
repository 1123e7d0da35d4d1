import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { systemClock } from '../../ports/clock.ts';
import { csvRow, readCsv } from './csv.ts';
import { csvFields, exportUsers } from './export-users.ts';
import { csvHeader } from './get-csv-header.ts';
import { importUsers, type ImportServices } from './import-users.ts';
import { findUserByEmail, type PoolSettings } from './model.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pool(name: string): ImportServices {
  let hashes = 0;
  return {
    users: openSqliteStore(join(dir, `${name}.db`)).store,
    clock: systemClock,
    ids: { uuid: randomUUID, ulid: randomUUID, secret: (bytes) => randomBytes(bytes).toString('base64url') },
    hasher: {
      hash: async (password) => `hash-${hashes++}-${password.length}`,
      verify: async () => false,
      hasCapacity: () => true,
    },
    pool: { userPoolId: 'us-west-1_Import001' } as PoolSettings,
  };
}

async function* lines(text: string) {
  yield* readCsv(
    (async function* () {
      yield text;
    })(),
  );
}

const header = csvHeader();
const row = (values: Record<string, string>) => csvRow(header.map((column) => values[column] ?? ''));

describe('importUsers', () => {
  it('creates each valid row RESET_REQUIRED, keeping its sub, and skips the others with their lines', async () => {
    const services = pool('mixed');
    const sub = '6f1c3c59-1d1e-4f0e-9a55-0e0b2b1d1a01';
    const csv =
      csvRow(header) +
      row({
        email: 'Ada@Example.com',
        email_verified: 'TRUE',
        name: 'Ada, Countess',
        'cognito:username': sub,
      }) +
      row({ email: 'not-an-email' }) +
      row({ email: 'lin@example.com', email_verified: 'yes' }) +
      row({ email: 'ada@example.com' }) +
      row({ email: 'grace@example.com', 'cognito:username': 'grace' }) +
      row({ email: 'mfa@example.com', 'cognito:mfa_enabled': 'true', 'custom:preferred_username': 'mfa' }) +
      'short,row\r\n';
    const progress: number[] = [];
    const summary = await importUsers(lines(csv), services, (s) =>
      progress.push(s.imported + s.skipped.length),
    );
    expect(summary.imported).toBe(2);
    expect(summary.skipped).toEqual([
      { line: 3, message: '"not-an-email" is not an email address' },
      { line: 4, message: 'email_verified must be true or false, not "yes"' },
      { line: 5, message: 'the same user as line 2' },
      { line: 6, message: expect.stringContaining('cognito:username "grace" is not a user id') },
      { line: 8, message: `2 fields where the header has ${header.length}` },
    ]);
    expect(summary.warnings).toEqual([{ line: 7, message: expect.stringContaining('MFA is not on') }]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const ada = await findUserByEmail('ada@example.com', services);
    expect(ada).toMatchObject({
      sub,
      status: 'RESET_REQUIRED',
      enabled: true,
      attributes: { email: 'ada@example.com', email_verified: 'true', name: 'Ada, Countess', sub },
    });
    // Not the row's own, shared unusable hash: no one knows its password.
    expect(ada?.passwordHash).toMatch(/^hash-0-/);
    expect(
      (await findUserByEmail('mfa@example.com', services))?.attributes['custom:preferred_username'],
    ).toBe('mfa');

    const again = await importUsers(
      lines(
        csvRow(header) +
          row({ email: 'other@example.com', 'cognito:username': sub }) +
          row({ email: 'ada@example.com' }),
      ),
      services,
    );
    expect(again.skipped).toEqual([
      { line: 2, message: `a user ${sub} already exists` },
      { line: 3, message: 'a user with this email already exists' },
    ]);
  });

  it('refuses a file whose header is not the pool’s, before any row, and stops where the CSV breaks', async () => {
    const services = pool('header');
    expect(
      await importUsers(lines('email,cognito:username\nok@example.com,\n"open@example.com,\n'), services),
    ).toEqual({
      imported: 1,
      skipped: [],
      warnings: [],
      malformed: 'line 3: a quoted field is not closed',
    });
    await expect(importUsers(lines(''), services)).rejects.toThrow('The file is empty');
    await expect(importUsers(lines('email,password\r\n'), services)).rejects.toThrow(
      'line 1: unknown column "password"',
    );
    await expect(importUsers(lines('email,email\r\n'), services)).rejects.toThrow(
      'the column email is twice',
    );
    await expect(importUsers(lines('email\r\na@example.com\r\n'), services)).rejects.toThrow(
      'the header has no cognito:username column',
    );
  });

  it('round-trips: what the export writes imports into a fresh pool as the same users', async () => {
    const first = pool('first');
    const csv =
      csvRow(header) +
      row({ email: 'a@example.com', email_verified: 'true', name: 'A "quoted" name' }) +
      row({
        email: 'b@example.com',
        'custom:profile_picture_url': 'https://example.com/b.jpg',
        name: 'multi\nline',
      }) +
      row({
        email: 'c@example.com',
        phone_number: '+14325551212',
        phone_number_verified: 'true',
        'cognito:mfa_enabled': 'true',
      });
    expect(await importUsers(lines(csv), first)).toEqual({ imported: 3, skipped: [], warnings: [] });
    let exported = csvRow(header);
    for await (const user of exportUsers(first)) exported += csvRow(csvFields(user, header));
    const second = pool('second');
    expect(await importUsers(lines(exported), second)).toEqual({ imported: 3, skipped: [], warnings: [] });
    const described = async (services: ImportServices) => {
      const found = [];
      for await (const user of exportUsers(services))
        found.push({ sub: user.sub, email: user.email, attributes: user.attributes, mfa: user.mfaEnabled });
      return found.sort((a, b) => a.email.localeCompare(b.email));
    };
    expect(await described(second)).toEqual(await described(first));
    expect((await described(second))[1]?.attributes.name).toBe('multi\nline');
    // cognito:mfa_enabled with a verified phone: SMS MFA, as Cognito's import turns it on.
    expect((await described(second))[2]?.mfa).toBe(true);
  });
});
