/**
 * Photos and clips for posts and stories go up with Amplify Storage's `uploadData`, signed with the
 * identity pool's credentials, to the bucket's S3 API: Plaza's own (`custom.s3_endpoint` in
 * `amplify_outputs.json`) or S3 itself. The upload is reserved first with `createUploadUrl`, and
 * its key carries the media id it fills (`private/<identity id>/uploads/<media id>/<file name>`,
 * ADR 0014). The reservation names the identity the bytes will come from, and the server takes
 * them from that identity's folder only.
 */
import { fetchAuthSession } from 'aws-amplify/auth';
import { uploadData } from 'aws-amplify/storage';
import { ApiError } from '../api/errors.ts';

interface StorageOutputs {
  auth?: { identity_pool_id?: string };
  storage?: { bucket_name?: string };
  custom?: { s3_endpoint?: string };
}

/** Amplify Storage's `customEndpoint` (a host) when the bucket is Plaza's own S3 API; undefined on S3. */
let customEndpoint: string | undefined;
let configured = false;

/**
 * Reads where the bucket is. Amplify addresses it virtual-hosted, `https://<bucket>.<endpoint>/`:
 * a loopback server is named `localhost`, since browsers resolve every `*.localhost` name to it, and
 * one on plain http is reached at http://, as the real-time socket is (amplify.ts).
 */
export function configureStorage(amplifyOutputs: object): void {
  const outputs = amplifyOutputs as StorageOutputs;
  const bucket = outputs.storage?.bucket_name;
  const endpoint = outputs.custom?.s3_endpoint;
  // uploadData signs with the identity pool's credentials: without a pool (a server that turned
  // it off), presigned PUTs.
  configured = Boolean(bucket && (endpoint || outputs.auth?.identity_pool_id));
  customEndpoint = undefined;
  // On S3 itself Amplify's own addressing stands; the upload reaches its reservation once the media
  // pipeline has handled the bucket's event (afterUpload).
  if (!bucket || !endpoint) return;
  const url = new URL(endpoint);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  customEndpoint = `${loopback ? 'localhost' : url.hostname}${url.port ? `:${url.port}` : ''}`;
  if (url.protocol === 'http:') reachBucketWithoutTls(`https://${bucket}.${customEndpoint}/`);
}

/** Whether uploads go through Amplify Storage (the deployment names a bucket and an identity pool). */
export function storageConfigured(): boolean {
  return configured;
}

/**
 * Runs `mutate`, a mutation given media just sent with `uploadData` (createPost, createStory). On S3
 * itself an upload reaches its reservation a moment after `uploadData` ends, when the media
 * pipeline has handled the bucket's event (ADR 0014), so while the API answers that the media has
 * not been uploaded yet, `mutate` is asked again, every `everyMs`, for up to `waitMs`. Plaza's own S3
 * API fills the reservation before it answers: there the first answer stands.
 */
export async function afterUpload<T>(
  mutate: () => Promise<T>,
  options: { waitMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  for (;;) {
    try {
      return await mutate();
    } catch (error) {
      const arrivesLater = configured && customEndpoint === undefined;
      if (!arrivesLater || !notUploadedYet(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 500));
    }
  }
}

/** The API's answer for media whose bytes have not reached their reservation (require-media.ts). */
function notUploadedYet(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.errorType === 'BadInput' &&
    / has not been uploaded$/.test(error.message)
  );
}

/** Amplify's S3 requests (XMLHttpRequest for bytes, with progress; fetch for the rest) to http://. */
function reachBucketWithoutTls(tlsTwin: string): void {
  const plain = (url: string) => (url.startsWith(tlsTwin) ? `http://${url.slice('https://'.length)}` : url);
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) =>
    nativeFetch(typeof input === 'string' || input instanceof URL ? plain(String(input)) : input, init);
  const nativeOpen = XMLHttpRequest.prototype.open as (
    this: XMLHttpRequest,
    method: string,
    url: string | URL,
    ...rest: unknown[]
  ) => void;
  XMLHttpRequest.prototype.open = function (
    this: XMLHttpRequest,
    method: string,
    url: string | URL,
    ...rest: unknown[]
  ) {
    nativeOpen.call(this, method, plain(String(url)), ...rest);
  } as typeof XMLHttpRequest.prototype.open;
}

/** The signed-in identity's id, which createUploadUrl is given for an upload through Amplify Storage. */
export async function storageIdentityId(): Promise<string> {
  const { identityId } = await fetchAuthSession();
  if (!identityId) throw new Error('No identity-pool identity for this session: sign in again');
  return identityId;
}

/** The media id of a reserved post or story key (`users/<id>/posts/<media id>/original.jpg`). */
export function mediaIdOf(key: string): string {
  const match = /^(?:users\/[^/]+\/posts|stories\/[^/]+)\/([0-9A-HJKMNP-TV-Z]{26})\/[^/]+$/.exec(key);
  if (!match?.[1]) throw new Error(`${key} is not a post's or story's upload`);
  return match[1];
}

/** Sends the file with `uploadData` into the reservation `key`, reporting bytes sent. */
export async function uploadToStorage(
  key: string,
  file: File,
  onProgress: (sent: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const name = file.name.replace(/[/\\]/g, '_') || 'upload';
  const task = uploadData({
    path: ({ identityId }) => `private/${identityId}/uploads/${mediaIdOf(key)}/${name}`,
    data: file,
    options: {
      contentType: file.type,
      onProgress: ({ transferredBytes }) => onProgress(transferredBytes),
      // Not in uploadData's public types, but read by it: the S3 API's host.
      ...(customEndpoint ? { customEndpoint } : {}),
    } as Parameters<typeof uploadData>[0]['options'],
  });
  signal?.addEventListener('abort', () => task.cancel());
  await task.result;
}
