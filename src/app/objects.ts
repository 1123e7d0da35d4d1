/** Where media bytes live, who signs their URLs, and who forgets them at the edge. */
import type { Config } from '../platform/config.ts';
import { loadOrCreateSecret } from '../platform/secrets.ts';
import type { ObjectStore } from '../ports/object-store/object-store.ts';
import type { UploadSigner, UrlVerifier } from '../ports/object-store/signed-urls.ts';
import { FsObjectStore } from '../adapters/fs/fs-object-store.ts';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.ts';
import { HmacUrlSigner } from '../adapters/hmac/hmac-url-signer.ts';
import type { EdgeCache } from '../edge/http/media-routes.ts';
import { cloudFrontInvalidator } from '../adapters/cloudfront/cloudfront-invalidator.ts';
import type { CdnInvalidator } from '../ports/cdn.ts';

/**
 * Where media bytes live, and who signs URLs for them. Plaza signs its own upload and
 * private-media URLs on one machine; on S3, uploads are S3's own presigned PUTs.
 */
export function openObjects(
  config: Config,
  baseUrl: () => string,
): { objects: ObjectStore; signer: UploadSigner; urls: UrlVerifier } {
  const urls = new HmacUrlSigner({
    secret: loadOrCreateSecret(config.dataDir, 'media-urls'),
    keyId: 'plaza-local',
    baseUrl,
  });
  if (config.storage.engine === 's3') {
    const s3 = new S3ObjectStore({
      bucket: config.storage.s3.bucket,
      region: config.region,
      endpoint: config.storage.s3.endpoint,
    });
    return { objects: s3, signer: s3, urls };
  }
  return { objects: new FsObjectStore({ root: config.storage.root }), signer: urls, urls };
}

/**
 * Who forgets deleted media at the edge: the media server's own cache, and CloudFront's when a
 * distribution is configured (on AWS, where CloudFront serves the media).
 */
export function cdnInvalidator(config: Config, edgeCache?: EdgeCache): CdnInvalidator {
  const cloudFront = config.cdn.distributionId
    ? cloudFrontInvalidator({ distributionId: config.cdn.distributionId, region: config.region })
    : undefined;
  return {
    async invalidate(keys) {
      await edgeCache?.invalidate(keys);
      await cloudFront?.invalidate(keys);
    },
  };
}
