import { PlazaError } from '../../platform/errors.ts';
import { ownedByIndex } from '../social/keys.ts';
import { requireUserId } from '../social/model.ts';
import { originalKey } from './media-keys.ts';
import { requireIdentityId, storageUploadKey } from './storage-uploads.ts';
import {
  imageTypes,
  isVideo,
  mediaKey,
  requirePurpose,
  videoTypes,
  type MediaServices,
  type Purpose,
} from './model.ts';

export interface UploadRequest {
  purpose: Purpose;
  contentType: string;
  contentLength: number;
  /**
   * The caller's identity-pool identity id, for an upload sent through the bucket's S3 API
   * (storage-uploads.ts) rather than to the presigned URL.
   */
  identityId?: string | null;
}

export interface Upload {
  key: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * Reserves an object key for one upload and signs a PUT for exactly that
 * key, type and length. The media item is written first (PENDING), so the
 * upload route and the pipeline find whose upload it is and what it is for.
 * Unused reservations expire with the upload URL's day (the item's TTL).
 * Given an identity id, the reservation is also one that identity may fill through the S3 API.
 */
export async function createUploadUrl(
  viewerId: string,
  request: UploadRequest,
  {
    store,
    signer,
    clock,
    ids,
    settings,
  }: Pick<MediaServices, 'store' | 'signer' | 'clock' | 'ids' | 'settings'>,
): Promise<Upload> {
  const ownerId = requireUserId(viewerId);
  const purpose = requirePurpose(request.purpose);
  const contentType = String(request.contentType ?? '').toLowerCase();
  const video = isVideo(contentType);
  // An avatar is a still picture; posts and stories take clips too.
  const accepted = purpose === 'AVATAR' ? imageTypes : [...imageTypes, ...videoTypes];
  if (!accepted.includes(contentType)) {
    throw new PlazaError(
      'UnsupportedMediaType',
      `contentType must be one of ${accepted.join(', ')} for ${purpose.toLowerCase()} media`,
    );
  }
  const max = video ? settings.videoMaxBytes : settings.imageMaxBytes;
  if (!Number.isInteger(request.contentLength) || request.contentLength < 1) {
    throw new PlazaError('BadInput', 'contentLength must be a whole number of bytes, at least 1');
  }
  if (request.contentLength > max) {
    throw new PlazaError('PayloadTooLarge', `${video ? 'Videos' : 'Images'} may be at most ${max} bytes`);
  }
  const identityId = request.identityId == null ? undefined : requireIdentityId(request.identityId);
  if (identityId && purpose === 'AVATAR')
    throw new PlazaError('BadInput', 'Avatars are uploaded to the presigned URL: leave identityId out');
  const mediaId = ids.ulid();
  const key = originalKey(purpose, ownerId, mediaId, video);
  const now = clock.now();
  const expiresAt = new Date(now + Math.min(settings.uploadUrlSeconds, 900) * 1000);
  // A reservation that no upload fills is removed a day later; an upload clears the TTL.
  const ttl = Math.floor(now / 1000) + 24 * 3600;
  const reservation = {
    ...mediaKey(key),
    ...ownedByIndex(ownerId, `MEDIA#${key}`),
    entityType: 'MEDIA',
    key,
    ownerId,
    purpose,
    contentType,
    contentLength: request.contentLength,
    status: 'PENDING',
    uploaded: false,
    variants: [],
    createdAt: new Date(now).toISOString(),
    ...(identityId ? { identityId } : {}),
    ttl,
  };
  if (identityId) {
    const pointer = { ...storageUploadKey({ identityId, mediaId }), mediaKey: key, ttl };
    await store.transactWrite([{ put: reservation }, { put: pointer }]);
  } else {
    await store.put({ item: reservation });
  }
  const signed = await signer.signUpload({
    key,
    contentType,
    contentLength: request.contentLength,
    expiresAt,
  });
  return { key, ...signed, expiresAt: expiresAt.toISOString() };
}
