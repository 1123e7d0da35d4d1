/**
 * Uploads through the bucket's S3 API (Amplify Storage's `uploadData`) enter the same pipeline as
 * a presigned PUT. The app reserves the upload with `createUploadUrl`, naming its identity-pool
 * identity id, then sends the bytes to
 *
 *   private/<identityId>/uploads/<mediaId>/<file name>
 *
 * where `<mediaId>` is the ULID in the reserved key (`users/<userId>/posts/<mediaId>/original.jpg`,
 * `stories/<userId>/<mediaId>/image.jpg`). `private/`, not `protected/`: an original keeps its camera
 * metadata (GPS and all) until the pipeline strips it, and `protected/` is readable by every
 * signed-in identity.
 *
 * Nothing in the key is trusted by itself. The rule is the same on one machine and on AWS, where
 * the S3-event Lambda cannot learn which user an identity belongs to (Cognito names an identity's
 * login providers, never their subjects): the reservation records the identity id its user gave,
 * and the key's identity must be that one. Only that identity can write under its `private/`
 * prefix (the role's policy, policies.ts, enforced by IAM on AWS and by Plaza's evaluator here),
 * so the bytes come from it. A user who names someone else's identity only narrows who may fill
 * their own reservation: the media id is theirs alone, and that identity never learns it. The
 * bytes must then be of the reserved kind and length. Once stored, they are moved to the reserved
 * key and queued; the S3 object is removed, so the only copy is the one the pipeline and a post's
 * deletion know of.
 */
import { PlazaError } from '../../platform/errors.ts';
import type { Key } from '../../ports/item-store/item-store.ts';
import type { ObjectStore } from '../../ports/object-store/object-store.ts';
import { mediaKey, toMedia, type Media, type MediaServices } from './model.ts';
import { receiveUpload } from './receive-upload.ts';

export interface StorageUpload {
  identityId: string;
  mediaId: string;
}

/**
 * The access level that holds every identity's `uploads/` folder: the most an S3 notification's
 * prefix filter can name of `private/<identity id>/uploads/`.
 */
export const storageUploadsLevel = 'private/';

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

/** Cognito's identity ids: `<region>:<uuid>`. */
const identityIdPattern = /^[a-z0-9-]{1,32}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The identity id a client gives `createUploadUrl`, checked for shape only (it is not trusted). */
export function requireIdentityId(value: unknown): string {
  if (typeof value === 'string' && identityIdPattern.test(value)) return value;
  throw new PlazaError('BadInput', 'identityId must be an identity pool identity id, <region>:<uuid>');
}

/**
 * The item that leads from an identity's upload to its reservation: written beside the
 * reservation by `createUploadUrl`, found from the S3 key alone.
 */
export const storageUploadKey = ({ identityId, mediaId }: StorageUpload): Key => ({
  PK: `STORAGE_UPLOAD#${identityId}#${mediaId}`,
  SK: 'STORAGE_UPLOAD',
});

/**
 * The caller is the identity whose folder the key names. The role's policy says so already (IAM
 * on AWS, where no caller is known to the S3-event Lambda); the S3 API checks it again.
 */
export function requireOwnFolder(callerIdentityId: string, upload: StorageUpload): void {
  if (upload.identityId !== callerIdentityId)
    throw new PlazaError('Forbidden', "Uploads go under the caller's own identity id");
}

/**
 * The reservation the upload fills, before any byte is accepted: one made for this identity
 * with this media id, not yet received.
 */
export async function admitStorageUpload(
  upload: StorageUpload,
  { store }: Pick<MediaServices, 'store'>,
): Promise<Media> {
  const { item: pointer } = await store.get(storageUploadKey(upload), { consistent: true });
  const { item } = pointer
    ? await store.get(mediaKey(String(pointer.mediaKey)), { consistent: true })
    : { item: undefined };
  const media = item && toMedia(item);
  // The reservation says so itself too: the pointer is only a way to it.
  if (!media || item.identityId !== upload.identityId)
    throw new PlazaError(
      'NotFound',
      `No upload ${upload.mediaId} was reserved for identity ${upload.identityId}: call createUploadUrl with your identityId first and use the id in its key`,
    );
  if (media.uploaded) throw new PlazaError('Conflict', `Upload ${upload.mediaId} has already been received`);
  return media;
}

/**
 * Where the uploaded object is: the media store itself where Plaza's S3 API keeps it (under its
 * escaped key), or the bucket as S3 holds it, by the key the client wrote, on AWS.
 */
export type UploadedObjects = Pick<ObjectStore, 'get' | 'delete'>;

/**
 * Moves an object stored under an identity's `uploads/` folder into its reservation (checked
 * again, as another upload may have filled it meanwhile) and queues it for the pipeline; the
 * uploaded object is removed whether or not its bytes were accepted.
 */
export async function receiveStorageUpload(
  storedKey: string,
  reservation: () => Promise<Media>,
  services: Pick<MediaServices, 'store' | 'objects' | 'clock'>,
  enqueue: (key: string) => void,
  uploaded: UploadedObjects = services.objects,
): Promise<Media> {
  try {
    const media = await reservation();
    const found = await uploaded.get(storedKey);
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
    await uploaded.delete(storedKey);
  }
}
