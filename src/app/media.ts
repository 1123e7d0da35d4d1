/**
 * Media on a server: uploads, the object store, the image and video pipeline's in-process job
 * queue, and the bucket's lifecycle rule for noncurrent versions on the local store.
 */
import { ffmpegVideoProcessor } from '../adapters/ffmpeg/ffmpeg-video-processor.ts';
import { sharpImageProcessor } from '../adapters/sharp/sharp-image-processor.ts';
import { MediaJobs } from '../domain/media/media-jobs.ts';
import { isVideoKey } from '../domain/media/media-keys.ts';
import { defaultMediaSettings, type MediaServices } from '../domain/media/model.ts';
import { processMedia } from '../domain/media/process-media.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import type { Ids } from '../ports/ids.ts';
import type { ItemStore } from '../ports/item-store/item-store.ts';
import type { ObjectStore } from '../ports/object-store/object-store.ts';
import type { UploadSigner } from '../ports/object-store/signed-urls.ts';
import {
  admitStorageUpload,
  receiveStorageUpload,
  requireOwnFolder,
  storageUploadOf,
  type StorageUpload,
} from '../domain/media/storage-uploads.ts';
import type { S3Uploads } from '../edge/s3/s3-operation.ts';

export interface ServerMedia {
  services: MediaServices;
  jobs: MediaJobs;
  close(): Promise<void>;
}

export function openMedia(
  config: Config,
  deps: {
    store: ItemStore;
    objects: ObjectStore;
    signer: UploadSigner;
    clock: Clock;
    ids: Ids;
    logger: Logger;
    metrics: Pick<Metrics, 'mediaJobs' | 'mediaJobSeconds'>;
  },
): ServerMedia {
  const { clock, logger, metrics, objects } = deps;
  const services: MediaServices = {
    store: deps.store,
    objects,
    signer: deps.signer,
    images: sharpImageProcessor(),
    videos: ffmpegVideoProcessor(),
    clock,
    ids: deps.ids,
    logger,
    settings: { ...defaultMediaSettings, ...config.media },
  };
  const jobs = new MediaJobs((key) => processMedia(key, services), {
    concurrency: config.media.jobConcurrency,
    // Clips take seconds to minutes each: a lane of their own, so photos never wait behind them.
    lanes: [{ concurrency: config.media.videoJobConcurrency, matches: isVideoKey }],
    attempts: services.settings.jobAttempts,
    logger,
    onOutcome: (outcome, seconds) => {
      metrics.mediaJobs.inc({ outcome });
      metrics.mediaJobSeconds.observe(seconds);
    },
  });
  // The bucket's lifecycle rule for noncurrent versions, on the local store (S3 applies its own).
  const lifecycle = setInterval(
    () => {
      const cutoff = new Date(clock.now() - config.media.noncurrentVersionDays * 24 * 3600 * 1000);
      if (config.storage.engine === 'fs')
        objects
          .expireVersions(cutoff)
          .catch((error) => logger.error({ err: error }, 'media lifecycle failed'));
    },
    6 * 3600 * 1000,
  );
  lifecycle.unref();
  return {
    services,
    jobs,
    async close() {
      clearInterval(lifecycle);
      await jobs.close();
    },
  };
}

/**
 * Objects put through the S3 API under an identity's `uploads/` folder enter the media pipeline
 * (domain/media/storage-uploads.ts), by the same rule as the S3-event Lambda's on AWS.
 */
export function storageUploads(media: ServerMedia): S3Uploads {
  const admit = (callerIdentityId: string, upload: StorageUpload) => {
    requireOwnFolder(callerIdentityId, upload);
    return admitStorageUpload(upload, media.services);
  };
  return {
    async admit(caller, key) {
      const upload = storageUploadOf(key);
      if (upload) await admit(caller.identityId, upload);
    },
    async stored(caller, key, storedKey) {
      const upload = storageUploadOf(key);
      if (!upload) return;
      await receiveStorageUpload(
        storedKey,
        () => admit(caller.identityId, upload),
        media.services,
        (original) => media.jobs.enqueue(original),
      );
    },
  };
}
