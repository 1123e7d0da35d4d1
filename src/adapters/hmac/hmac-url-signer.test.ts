import { describe, expect, it } from 'vitest';
import { startUploadRoute } from '../../../test/support/upload-route.ts';
import { uploadSignerContract } from '../../ports/object-store/signed-urls.contract.ts';
import { HmacUrlSigner } from './hmac-url-signer.ts';

uploadSignerContract(
  'HMAC with Plaza’s upload route',
  async () => {
    const route = await startUploadRoute();
    return {
      signer: route.signer,
      stored: async (key) => {
        const info = await route.objects.head(key);
        return info && { size: info.size, contentType: info.contentType };
      },
      close: () => route.close(),
    };
  },
  { receiverChecksSignature: true },
);

const signer = new HmacUrlSigner({
  secret: Buffer.alloc(32, 7),
  keyId: 'k1',
  baseUrl: () => 'http://plaza.test',
});
const query = (url: string) => Object.fromEntries(new URL(url).searchParams);
const now = Date.UTC(2026, 0, 1);

describe('HmacUrlSigner', () => {
  it('grants exactly the signed upload until it expires', async () => {
    const target = {
      key: 'users/u/posts/01H/original.jpg',
      contentType: 'image/jpeg',
      contentLength: 1234,
      expiresAt: new Date(now + 60_000),
    };
    const { url, headers } = await signer.signUpload(target);
    expect(headers).toEqual({ 'Content-Type': 'image/jpeg' });
    const path = decodeURIComponent(new URL(url).pathname.slice('/upload/'.length));
    expect(signer.verifyUpload(path, query(url), now)).toEqual(target);
    expect(() => signer.verifyUpload(path, query(url), now + 60_000)).toThrow(/expired/);
    expect(() => signer.verifyUpload('users/u/posts/01H/other.jpg', query(url), now)).toThrow(/not valid/);
    for (const [name, value] of [
      ['X-Plaza-Content-Length', '99999'],
      ['X-Plaza-Content-Type', 'text/html'],
      ['X-Plaza-Expires', String(now / 1000 + 86400)],
    ] as const) {
      expect(() => signer.verifyUpload(path, { ...query(url), [name]: value }, now), name).toThrow(
        /not valid/,
      );
    }
  });

  it('signs private GETs with CloudFront-style parameters', () => {
    const url = signer.signGet('stories/u/01H/image.jpg', new Date(now + 3600_000));
    expect(Object.keys(query(url))).toEqual(['Expires', 'Signature', 'Key-Pair-Id']);
    expect(signer.verifyGet('stories/u/01H/image.jpg', query(url), now)).toBe(true);
    expect(signer.verifyGet('stories/u/01H/image.jpg', query(url), now + 3600_000)).toBe(false);
    expect(signer.verifyGet('stories/u/01H/video.mp4', query(url), now)).toBe(false);
    expect(signer.verifyGet('stories/u/01H/image.jpg', { ...query(url), 'Key-Pair-Id': 'k2' }, now)).toBe(
      false,
    );
  });
});
