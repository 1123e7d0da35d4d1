/**
 * Uploads through the bucket's S3 API (Amplify Storage's `uploadData`) enter the same pipeline as
 * a presigned PUT. The app reserves the upload with `createUploadUrl` as before, then sends the
 * bytes to
 *
 *   private/<identityId>/uploads/<mediaId>/<file name>
 *
 * where `<mediaId>` is the ULID in the reserved key (`users/<userId>/posts/<mediaId>/original.jpg`,
 * `stories/<userId>/<mediaId>/image.jpg`). `private/`, not `protected/`: an original keeps its camera
 * metadata (GPS and all) until the pipeline strips it, and `protected/` is readable by every
 * signed-in identity. Nothing in the key is trusted: the identity must be signed in, its user must
 * own a reservation with that id, and the bytes must be of the reserved kind and length. Once
 * stored, the bytes are moved to the reserved key and queued; the S3 object is removed, so the
 * only copy is the one the pipeline and a post's deletion know of.
 */
import { PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import { mediaKey, toMedia, type Media, type MediaServices } from './model.ts';
import { receiveUpload } from './receive-upload.ts';

export interface StorageUpload {
  identityId: string;
  mediaId: string;
}

const uploadsFolder = /^private\/([^/]+)\/uploads\/(.*)$/;
const ulid = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The upload an S3 key names, or undefined for a key outside any identity's `uploads/` folder
 * (an ordinary object). A key inside it but not of the layout is refused.
 */
export function storageUploadOf(s3Key: string): StorageUpload | undefined {
  const match = uploadsFolder.exec(s3Key);
  if (!match) return undefined;
  const [, identityId = '', rest = ''] = match;
  const slash = rest.indexOf('/');
  const mediaId = slash < 0 ? '' : rest.slice(0, slash);
  if (!ulid.test(mediaId) || slash === rest.length - 1)
    throw new PlazaError(
      'BadInput',
      `Keys under private/<identity id>/uploads/ are <media id>/<file name>, the media id from createUploadUrl: ${s3Key}`,
    );
  return { identityId, mediaId };
}

/** The keys a reservation with this id may have, one per purpose and kind (never an avatar's). */
function reservedKeys(userId: string, mediaId: string): string[] {
  return [
    `users/${userId}/posts/${mediaId}/original.jpg`,
    `users/${userId}/posts/${mediaId}/original.mp4`,
    `stories/${userId}/${mediaId}/image.jpg`,
    `stories/${userId}/${mediaId}/video.mp4`,
  ];
}

/**
 * The reservation the upload fills, before any byte is accepted: the calling identity's
 * signed-in user's own, not yet received. `userOf` is the user an identity is linked to (none for a guest).
 */
export async function admitStorageUpload(
  callerIdentityId: string,
  upload: StorageUpload,
  userOf: (identityId: string) => Promise<string | undefined>,
  { store }: Pick<MediaServices, 'store'>,
): Promise<Media> {
  // The role's policy keeps identities to their own folder already; this holds without it.
  if (upload.identityId !== callerIdentityId)
    throw new PlazaError('Forbidden', "Uploads go under the caller's own identity id");
  const userId = await userOf(upload.identityId);
  if (!userId) throw new PlazaError('Forbidden', 'Uploads for posts and stories need a signed-in identity');
  const found = (await getAll(store, reservedKeys(userId, upload.mediaId).map(mediaKey))).map(toMedia);
  const media = found.find((item) => item.ownerId === userId);
  if (!media)
    throw new PlazaError(
      'NotFound',
      `No upload ${upload.mediaId} was reserved for you: call createUploadUrl first and use the id in its key`,
    );
  if (media.uploaded) throw new PlazaError('Conflict', `Upload ${upload.mediaId} has already been received`);
  return media;
}

/**
 * Moves an object stored under an identity's `uploads/` folder into its reservation (checked
 * again, as another upload may have filled it meanwhile) and queues it for the pipeline; the S3
 * object is removed whether or not its bytes were accepted.
 */
export async function receiveStorageUpload(
  storedKey: string,
  reservation: () => Promise<Media>,
  services: Pick<MediaServices, 'store' | 'objects' | 'clock'>,
  enqueue: (key: string) => void,
): Promise<Media> {
  const { objects } = services;
  try {
    const media = await reservation();
    const found = await objects.get(storedKey);
    if (!found) throw new PlazaError('NotFound', 'The uploaded object is gone');
    if (found.info.size !== media.contentLength) {
      found.body.destroy();
      throw new PlazaError(
        'BadInput',
        `Upload ${media.key} was reserved for ${media.contentLength} bytes, but ${found.info.size} arrived`,
      );
    }
    const target = { key: media.key, contentType: media.contentType, contentLength: media.contentLength };
    return await receiveUpload(target, found.body, services, enqueue);
  } finally {
    await objects.delete(storedKey);
  }
}
