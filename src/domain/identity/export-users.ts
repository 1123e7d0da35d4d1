/**
 * The user pool's export (the design's automated user-pool export): every
 * user in sign-up order, with only what describes them. The fields are an
 * allow-list, so password hashes, SRP verifiers, TOTP secrets and lockout
 * state never leave, whatever the record holds.
 */
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import type { ExportedUser, UserSource } from '../../ports/user-source.ts';
import { csvRow } from './csv.ts';
import { csvHeader, mfaColumn, usernameColumn } from './get-csv-header.ts';
import { toUserRecord } from './model.ts';

export type { ExportedUser } from '../../ports/user-source.ts';

/** Users in sign-up order, a page (up to 1 MB) at a time, from the pool's GSI1. */
export async function* exportUsers({ users }: { users: ItemStore }): AsyncGenerator<ExportedUser> {
  let cursor: string | undefined;
  do {
    const page = await users.query({ index: 'GSI1', partition: 'USERS', ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      const user = toUserRecord(item);
      yield {
        sub: user.sub,
        email: user.email,
        status: user.status,
        enabled: user.enabled,
        mfaEnabled: user.mfaEnabled === true || user.smsMfaEnabled === true,
        attributes: { ...user.attributes },
        createdAt: user.createdAt,
      };
    }
    cursor = page.cursor;
  } while (cursor);
}

/** The embedded pool as the export's source of users. */
export function poolUserSource(services: { users: ItemStore }): UserSource {
  return { csvHeader: async () => csvHeader(), users: () => exportUsers(services) };
}

/** Cognito's user-import CSV, a record at a time: the header, then a row per user. */
export async function* userPoolCsv(source: UserSource, counted: { users: number }): AsyncGenerator<string> {
  const header = await source.csvHeader();
  yield csvRow(header);
  for await (const user of source.users()) {
    yield csvRow(csvFields(user, header));
    counted.users++;
  }
}

/**
 * A user as a row of Cognito's import CSV under `header` (GetCSVHeader's): the username is the
 * sub, as in this pool; an attribute the user lacks is an empty field.
 */
export function csvFields(user: ExportedUser, header: readonly string[]): string[] {
  return header.map((column) => {
    if (column === usernameColumn) return user.sub;
    if (column === mfaColumn) return String(user.mfaEnabled);
    if (column === 'email') return user.email;
    return user.attributes[column] ?? '';
  });
}

export async function countUsers(services: { users: ItemStore }): Promise<number> {
  let count = 0;
  for await (const _user of exportUsers(services)) count++;
  return count;
}
