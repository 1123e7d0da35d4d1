/**
 * The UploadSigner contract: one suite, run against every adapter (Plaza's
 * own HMAC-signed URLs with its upload route, and S3 presigned PUTs). A
 * client does exactly what the signed request says, with no credentials of
 * its own; the harness tells where the upload landed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedRequest, UploadSigner, UploadTarget } from './signed-urls.ts';

export interface UploadSignerHarness {
  signer: UploadSigner;
  /** The received object's size and type, or undefined when nothing was stored under the key. */
  stored(key: string): Promise<{ size: number; contentType: string } | undefined>;
  close(): Promise<void>;
}

export interface UploadSignerContractOptions {
  /**
   * Whether the receiving server here checks what was signed. S3 does; s3rver, the S3 stand-in
   * the tests run, does not check SigV4, so those checks run only where the receiver does.
   */
  receiverChecksSignature: boolean;
}

let unique = 0;
const ulid = () => `01J${String(Date.now()).padStart(15, '0')}${String(++unique).padStart(8, '0')}`;

function target(fields: Partial<UploadTarget> = {}): UploadTarget {
  return {
    key: `users/0b5e1c9a-0000-4000-8000-000000000001/posts/${ulid()}/original.jpg`,
    contentType: 'image/jpeg',
    contentLength: 1024,
    expiresAt: new Date(Date.now() + 5 * 60_000),
    ...fields,
  };
}

/** Sends the request as a browser would: the signed method, URL and headers, and a body. */
async function send(request: SignedRequest, body: Buffer, headers: Record<string, string> = {}) {
  const given = Object.fromEntries(
    Object.entries({ ...request.headers, ...headers }).filter(
      ([name]) => name.toLowerCase() !== 'content-length',
    ),
  );
  const response = await fetch(request.url, { method: request.method, headers: given, body });
  await response.arrayBuffer();
  return response.status;
}

export function uploadSignerContract(
  adapter: string,
  open: () => Promise<UploadSignerHarness>,
  options: UploadSignerContractOptions,
): void {
  describe(`UploadSigner contract: ${adapter}`, () => {
    let harness: UploadSignerHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('signs a PUT that, sent as given with the signed bytes, stores the object at the key', async () => {
      const upload = target({ contentType: 'image/png', contentLength: 2048 });
      const request = await harness.signer.signUpload(upload);
      expect(request.method).toBe('PUT');
      expect(new URL(request.url).protocol).toMatch(/^https?:$/);
      expect(decodeURIComponent(new URL(request.url).pathname).endsWith(`/${upload.key}`)).toBe(true);
      expect(request.headers['Content-Type']).toBe('image/png');
      expect(await harness.stored(upload.key)).toBeUndefined();
      expect(await send(request, Buffer.alloc(2048, 7))).toBe(200);
      expect(await harness.stored(upload.key)).toEqual({ size: 2048, contentType: 'image/png' });
    });

    it('binds the key, type, length and expiry into the URL: changing any one changes it', async () => {
      const base = target();
      const signed = async (fields: Partial<UploadTarget>) =>
        (await harness.signer.signUpload({ ...base, ...fields })).url;
      const original = await signed({});
      for (const change of [
        { key: base.key.replace('original.jpg', 'other.jpg') },
        { contentType: 'image/webp' },
        { contentLength: base.contentLength + 1 },
        { expiresAt: new Date(base.expiresAt.getTime() + 60_000) },
      ]) {
        expect(await signed(change), JSON.stringify(change)).not.toBe(original);
      }
    });

    describe.skipIf(!options.receiverChecksSignature)('what the receiver refuses', () => {
      it('refuses another content type, another length, another key, and stores nothing', async () => {
        const upload = target();
        const request = await harness.signer.signUpload(upload);
        expect(
          await send(request, Buffer.alloc(1024), { 'Content-Type': 'text/html' }),
        ).toBeGreaterThanOrEqual(400);
        expect(await send(request, Buffer.alloc(4096))).toBeGreaterThanOrEqual(400);
        const elsewhere = new URL(request.url);
        elsewhere.pathname = elsewhere.pathname.replace('original.jpg', 'evil.jpg');
        expect(
          await send({ ...request, url: elsewhere.toString() }, Buffer.alloc(1024)),
        ).toBeGreaterThanOrEqual(400);
        expect(await harness.stored(upload.key)).toBeUndefined();
        expect(await harness.stored(upload.key.replace('original.jpg', 'evil.jpg'))).toBeUndefined();
      });

      it('refuses an upload once its URL has expired', async () => {
        const upload = target({ expiresAt: new Date(Date.now() - 1000) });
        const request = await harness.signer.signUpload(upload);
        expect(await send(request, Buffer.alloc(1024))).toBeGreaterThanOrEqual(400);
        expect(await harness.stored(upload.key)).toBeUndefined();
      });
    });
  });
}
