/**
 * S3 event notifications (object created) for uploads: the design's image
 * Lambda. An upload is confirmed as the local server confirms one (size and
 * kind as reserved), then processed by the same `processMedia` the local job
 * queue runs. Objects that are no reserved upload (the pipeline's own
 * variants, say) are skipped.
 *
 * Objects put through S3 itself under `private/<identity id>/uploads/` (Amplify Storage's
 * `uploadData`) are moved into their reservation by the same rule as on one machine
 * (domain/media/storage-uploads.ts); the object written at the reserved key raises its own event,
 * and that one is processed as any upload's.
 */
import type { S3Event } from 'aws-lambda';
import { confirmUpload } from '../../domain/media/confirm-upload.ts';
import { mediaKey, toMedia, type MediaServices } from '../../domain/media/model.ts';
import { processMedia, type ProcessOutcome } from '../../domain/media/process-media.ts';
import {
  admitStorageUpload,
  receiveStorageUpload,
  storageUploadOf,
  type UploadedObjects,
} from '../../domain/media/storage-uploads.ts';
import { isPlazaError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';

/** S3 URL-encodes keys in events, with `+` for spaces. */
export function objectKeyOf(record: S3Event['Records'][number]): string {
  return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
}

export async function processUploadedObject(key: string, media: MediaServices): Promise<ProcessOutcome> {
  const { item } = await media.store.get(mediaKey(key), { consistent: true });
  if (!item) return 'SKIPPED';
  const reserved = toMedia(item);
  if (!reserved.uploaded) {
    // This handler is the job: nothing is queued.
    const confirmed = await confirmUpload(reserved, media, () => {});
    if (!confirmed?.uploaded) return 'SKIPPED';
  }
  return processMedia(key, media);
}

export type StorageUploadOutcome = 'RECEIVED' | 'REFUSED';

/**
 * Moves an object under an identity's `uploads/` folder into the reservation made for that
 * identity, or removes it. The key's identity is the writer's: only it may write under its
 * `private/` prefix (the authenticated role's policy). A refusal is the upload's fault and is
 * final (retrying finds the object gone), so it is logged, not thrown; the stores' failures are.
 */
export async function receiveStoredObject(
  key: string,
  media: MediaServices,
  uploaded: UploadedObjects,
  logger: Logger,
): Promise<StorageUploadOutcome | undefined> {
  try {
    const upload = storageUploadOf(key);
    if (!upload) return undefined;
    // Nothing is queued: the reserved key's own object-created event does that.
    await receiveStorageUpload(
      key,
      () => admitStorageUpload(upload, media),
      media,
      () => {},
      uploaded,
    );
    return 'RECEIVED';
  } catch (error) {
    if (!isPlazaError(error) || error.retryable) throw error;
    logger.warn({ key, code: error.code, reason: error.message }, 'storage upload refused');
    return 'REFUSED';
  }
}

/**
 * Handles each created object in turn. A failure worth retrying (the stores) is thrown, so
 * Lambda retries the event and, after its retries, sends it to the failure destination.
 * `uploaded` is the bucket by its S3 keys, for the function the `private/` events go to.
 */
export async function handleObjectsCreated(
  event: S3Event,
  media: MediaServices,
  logger: Logger,
  uploaded?: UploadedObjects,
): Promise<void> {
  for (const record of event.Records) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const key = objectKeyOf(record);
    const outcome =
      (uploaded && (await receiveStoredObject(key, media, uploaded, logger))) ??
      (await processUploadedObject(key, media));
    logger.info({ key, outcome }, 'uploaded object handled');
  }
}
