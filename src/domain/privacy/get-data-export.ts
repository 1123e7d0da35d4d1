import { requireUlid, requireUserId } from '../social/model.ts';
import {
  archiveKey,
  exportKey,
  toDataExport,
  type DataExportServices,
  type DataExportStatus,
} from './data-export.ts';

export interface DataExportView {
  id: string;
  status: DataExportStatus;
  /** A signed download URL, only when READY; it expires within `downloadUrlMs` and never after the export. */
  url: string | null;
  expiresAt: string | null;
}

/**
 * One of the caller's exports. The key holds the caller's id, so another user's export id is
 * simply not found (undefined), as is an export past its expiry that TTL has not removed yet.
 */
export async function getDataExport(
  viewerId: string,
  exportId: string,
  { store, clock, settings, signUrl }: Pick<DataExportServices, 'store' | 'clock' | 'settings' | 'signUrl'>,
): Promise<DataExportView | undefined> {
  const userId = requireUserId(viewerId);
  const id = requireUlid(exportId, 'id');
  const { item } = await store.get(exportKey(userId, id), { consistent: true });
  if (!item) return undefined;
  const found = toDataExport(item);
  const now = clock.now();
  const expiresAt = found.expiresAt === undefined ? undefined : Date.parse(found.expiresAt);
  if (expiresAt !== undefined && expiresAt <= now) return undefined;
  const url =
    found.status === 'READY' && expiresAt !== undefined
      ? signUrl(archiveKey(userId, id), new Date(Math.min(now + settings.downloadUrlMs, expiresAt)))
      : null;
  return { id, status: found.status, url, expiresAt: found.expiresAt ?? null };
}
