import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { requireUserId } from '../social/model.ts';
import {
  exportKey,
  exportRequestsKey,
  exportSortPrefix,
  toDataExport,
  type DataExport,
  type DataExportServices,
} from './data-export.ts';

const dayMs = 24 * 3600 * 1000;

/**
 * Asks for an export of the caller's data: writes a PENDING export, which the change-stream
 * consumer (build-data-export.ts) turns into a zip. One export is built at a time per user, and
 * at most `perDay` are asked for in 24 hours (failed ones aside).
 *
 * The checks read the user's recent exports; two requests at once could both pass them, so
 * every request also moves a per-user version on, conditionally: of two concurrent requests
 * one writes, the other is refused with Conflict.
 */
export async function requestDataExport(
  viewerId: string,
  { store, clock, ids, settings }: Pick<DataExportServices, 'store' | 'clock' | 'ids' | 'settings'>,
): Promise<DataExport> {
  const userId = requireUserId(viewerId);
  const now = clock.now();
  const { item: requests } = await store.get(exportRequestsKey(userId), { consistent: true });
  const version = Number(requests?.version ?? 0);
  const recent = await exportsSince(store, userId, now - Math.max(dayMs, settings.pendingTimeoutMs));

  const pending = recent.find(
    (found) => found.status === 'PENDING' && Date.parse(found.createdAt) > now - settings.pendingTimeoutMs,
  );
  if (pending) {
    throw new PlazaError('Conflict', `Your export ${pending.id} is still being prepared`, {
      exportId: pending.id,
    });
  }
  // Newest first: the last one counted is the first to leave the 24-hour window.
  const counted = recent.filter(
    (found) => found.status !== 'FAILED' && Date.parse(found.createdAt) > now - dayMs,
  );
  const oldest = counted[settings.perDay - 1];
  if (oldest) {
    const retryAfter = new Date(Date.parse(oldest.createdAt) + dayMs).toISOString();
    throw new PlazaError(
      'LimitExceededException',
      `At most ${settings.perDay} data exports in 24 hours; ask again after ${retryAfter}`,
      { retryAfter },
    );
  }

  const id = ids.ulid();
  const createdAt = new Date(now).toISOString();
  const item = {
    ...exportKey(userId, id),
    entityType: 'DATA_EXPORT',
    id,
    userId,
    status: 'PENDING',
    createdAt,
    // An export that is never built still goes; a built one's TTL becomes its expiry.
    ttl: Math.ceil((now + settings.pendingTimeoutMs + settings.lifetimeMs) / 1000),
  };
  try {
    await store.transactWrite([
      { put: item, conditions: [{ op: 'itemNotExists' }] },
      {
        put: { ...exportRequestsKey(userId), version: version + 1, lastRequestedAt: createdAt },
        conditions: requests
          ? [{ op: '=', attribute: 'version', value: version }]
          : [{ op: 'itemNotExists' }],
      },
    ]);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException')) {
      throw new PlazaError('Conflict', 'Another export request came at the same moment');
    }
    throw error;
  }
  return toDataExport(item);
}

/** The user's exports created after `since`, newest first (their ids are ULIDs: the sort key is time). */
async function exportsSince(store: ItemStore, userId: string, since: number): Promise<DataExport[]> {
  const found: DataExport[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({
      partition: exportKey(userId, '').PK,
      sortKey: { op: 'beginsWith', value: exportSortPrefix },
      descending: true,
      consistent: true,
      limit: 50,
      ...(cursor ? { cursor } : {}),
    });
    for (const item of page.items) {
      const entry = toDataExport(item);
      if (Date.parse(entry.createdAt) <= since) return found;
      found.push(entry);
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
}
