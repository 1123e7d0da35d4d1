/**
 * CloudFront signed URLs (canned policy) for private media: CloudFront serves
 * the object only until the URL's expiry, and only if it was signed with a key
 * in the distribution's trusted key group.
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';

export interface CloudFrontUrlSigner {
  signGet(key: string, expiresAt: Date): string;
}

export function cloudFrontUrlSigner(options: {
  /** The distribution's URL (https://…), no trailing slash. */
  baseUrl: string;
  keyPairId: string;
  /** The PEM private key whose public half is in the key group. */
  privateKey: string;
}): CloudFrontUrlSigner {
  return {
    signGet: (key, expiresAt) =>
      getSignedUrl({
        url: `${options.baseUrl}/${key}`,
        keyPairId: options.keyPairId,
        privateKey: options.privateKey,
        dateLessThan: expiresAt,
      }),
  };
}
