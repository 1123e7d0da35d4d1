/**
 * S3 event notifications (object created) for uploads: the design's image
 * Lambda. An upload is confirmed as the local server confirms one (size and
 * kind as reserved), then processed by the same `processMedia` the local job
 * queue runs. Objects that are no reserved upload (the pipeline's own
 * variants, say) are skipped.
 */
import type { S3Event } from 'aws-lambda';
import { confirmUpload } from '../../domain/media/confirm-upload.ts';
import { mediaKey, toMedia, type MediaServices } from '../../domain/media/model.ts';
import { processMedia, type ProcessOutcome } from '../../domain/media/process-media.ts';
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

/**
 * Handles each created object in turn. A failure worth retrying (the stores) is thrown, so
 * Lambda retries the event and, after its retries, sends it to the failure destination.
 */
export async function handleObjectsCreated(
  event: S3Event,
  media: MediaServices,
  logger: Logger,
): Promise<void> {
  for (const record of event.Records) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const key = objectKeyOf(record);
    const outcome = await processUploadedObject(key, media);
    logger.info({ key, outcome }, 'uploaded object handled');
  }
}
