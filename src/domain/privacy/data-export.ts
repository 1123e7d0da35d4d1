/**
 * Data export (GDPR art. 20): a user asks for a copy of their data, a
 * change-stream consumer writes it as one zip into the object store, and the
 * owner downloads it on a short-lived signed URL until the export expires.
 *
 * One item per export in the user's partition (`USER#<userId>` / `EXPORT#<exportId>`, the id a
 * ULID so the exports sort by time); its TTL removes it, and its REMOVE record removes the zip.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';
import type { Item, ItemStore, Key } from '../../ports/item-store/item-store.ts';
import type { ObjectStore } from '../../ports/object-store/object-store.ts';
import type { Log } from '../../platform/logger.ts';

export type DataExportStatus = 'PENDING' | 'READY' | 'FAILED';

export interface DataExportSettings {
  /** How long a built export can be downloaded (ms); its item and its zip go after that. */
  lifetimeMs: number;
  /** How long one signed download URL is valid (ms), never past the export's own expiry. */
  downloadUrlMs: number;
  /** Exports a user may ask for in 24 hours (failed ones do not count). */
  perDay: number;
  /** A PENDING export older than this no longer holds back a new request (ms). */
  pendingTimeoutMs: number;
  /**
   * An export still building after this long fails (ms): on AWS its Lambda also erases deleted
   * data, which must not wait behind an archive that can never finish in 15 minutes.
   */
  buildTimeoutMs: number;
}

export const defaultDataExportSettings: DataExportSettings = {
  lifetimeMs: 7 * 24 * 3600 * 1000,
  downloadUrlMs: 3600 * 1000,
  perDay: 3,
  pendingTimeoutMs: 3600 * 1000,
  buildTimeoutMs: 10 * 60 * 1000,
};

export interface DataExportServices {
  store: ItemStore;
  objects: ObjectStore;
  clock: Clock;
  ids: Ids;
  logger: Log;
  settings: DataExportSettings;
  /**
   * A signed GET URL for a private object, valid until `expiresAt`: the media server's own
   * signer on one machine, CloudFront's at scale (the ones private media use).
   */
  signUrl(key: string, expiresAt: Date): string;
  /** Where archives are assembled before they are stored (the OS's temp folder by default). */
  tmpDir?: string;
}

export interface DataExport {
  id: string;
  userId: string;
  status: DataExportStatus;
  createdAt: string;
  /** When a READY export (and its download) goes away. */
  expiresAt?: string;
  /** The zip's size in bytes, once READY. */
  bytes?: number;
}

export const exportSortPrefix = 'EXPORT#';

export const exportKey = (userId: string, exportId: string): Key => ({
  PK: `USER#${userId}`,
  SK: `${exportSortPrefix}${exportId}`,
});

/** The serialiser of one user's requests: a version that every request moves on (see request-data-export.ts). */
export const exportRequestsKey = (userId: string): Key => ({ PK: `USER#${userId}`, SK: 'EXPORT_REQUESTS' });

/** Where the archive lives: under `exports/`, a private prefix served only on signed URLs. */
export function archiveKey(userId: string, exportId: string): string {
  return `exports/${userId}/${exportId}/plaza-export.zip`;
}

export function isExportItem(item: Item | undefined): item is Item {
  return (
    item !== undefined && String(item.PK).startsWith('USER#') && String(item.SK).startsWith(exportSortPrefix)
  );
}

export function toDataExport(item: Item): DataExport {
  return {
    id: String(item.id),
    userId: String(item.userId),
    status: item.status as DataExportStatus,
    createdAt: String(item.createdAt),
    ...(typeof item.expiresAt === 'string' ? { expiresAt: item.expiresAt } : {}),
    ...(typeof item.bytes === 'number' ? { bytes: item.bytes } : {}),
  };
}
