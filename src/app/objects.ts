/**
 * Where media bytes live, who signs their URLs, and who forgets them at the edge. The adapters of
 * the AWS engines (S3, CloudFront, DynamoDB, Cognito) are loaded only where configuration picks
 * them: the AWS SDK's clients are a good part of a process's start (the server's, each `plaza`
 * command's), and one machine never uses them.
 */
import type { Config } from '../platform/config.ts';
import { loadOrCreateSecret } from '../platform/secrets.ts';
import type { ObjectStore } from '../ports/object-store/object-store.ts';
import type { UploadSigner, UrlVerifier } from '../ports/object-store/signed-urls.ts';
import { FsObjectStore } from '../adapters/fs/fs-object-store.ts';
import { HmacUrlSigner } from '../adapters/hmac/hmac-url-signer.ts';
import type { EdgeCache } from '../edge/http/media-routes.ts';
import type { CdnInvalidator } from '../ports/cdn.ts';

/**
 * Where media bytes live, and who signs URLs for them. Plaza signs its own upload and
 * private-media URLs on one machine; on S3, uploads are S3's own presigned PUTs.
 */
export async function openObjects(
  config: Config,
  baseUrl: () => string,
): Promise<{ objects: ObjectStore; signer: UploadSigner; urls: UrlVerifier }> {
  const urls = new HmacUrlSigner({
    secret: loadOrCreateSecret(config.dataDir, 'media-urls'),
    keyId: 'plaza-local',
    baseUrl,
  });
  if (config.storage.engine === 's3') {
    const { S3ObjectStore } = await import('../adapters/s3/s3-object-store.ts');
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
  const { distributionId } = config.cdn;
  let cloudFront: Promise<CdnInvalidator> | undefined;
  return {
    async invalidate(keys) {
      await edgeCache?.invalidate(keys);
      if (!distributionId) return;
      cloudFront ??= import('../adapters/cloudfront/cloudfront-invalidator.ts').then((adapter) =>
        adapter.cloudFrontInvalidator({ distributionId, region: config.region }),
      );
      await (await cloudFront).invalidate(keys);
    },
  };
}
