/**
 * The design's automated user-pool export: Cognito's user-import CSV of every user, kept beside
 * the table's backups (and for as long) so a lost or damaged pool can be refilled by an import
 * job. The users are streamed from the source to the object, never held together.
 */
import type { Log } from '../../platform/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { StreamedUpload } from '../../ports/object-store/streamed-upload.ts';
import type { UserSource } from '../../ports/user-source.ts';
import { userPoolCsv } from './export-users.ts';

/** Where the exports are kept: a private prefix, expired by the bucket's lifecycle rule. */
export const userPoolExportsPrefix = 'user-pool-exports/';

/** One export a day at most: a second run on the same day replaces the first. */
export function userPoolExportKey(at: Date): string {
  return `${userPoolExportsPrefix}${at.toISOString().slice(0, 10)}.csv`;
}

export interface UserPoolExportServices {
  source: UserSource;
  uploads: StreamedUpload;
  clock: Clock;
  logger: Log;
}

export async function storeUserPoolExport(
  services: UserPoolExportServices,
): Promise<{ key: string; users: number; bytes: number }> {
  const counted = { users: 0 };
  const { key, size } = await services.uploads.upload(
    userPoolExportKey(new Date(services.clock.now())),
    userPoolCsv(services.source, counted),
    { contentType: 'text/csv; charset=utf-8' },
  );
  services.logger.info({ key, users: counted.users, bytes: size }, 'user pool exported');
  return { key, users: counted.users, bytes: size };
}
