/**
 * CloudFront invalidations: deleted media stops being served from the edge at once instead of
 * when its cached copy expires (up to a year for a versioned URL). A wildcard path counts as
 * one path in CloudFront's price, so a whole account is a few paths.
 */
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { randomUUID } from 'node:crypto';
import type { CdnInvalidator } from '../../ports/cdn.ts';

/** CloudFront takes at most 3,000 paths in one invalidation (15 with a wildcard in progress at once). */
const PATHS_PER_INVALIDATION = 3000;

export function cloudFrontInvalidator(options: {
  distributionId: string;
  region: string;
  client?: Pick<CloudFrontClient, 'send'>;
}): CdnInvalidator {
  const client = options.client ?? new CloudFrontClient({ region: options.region });
  return {
    async invalidate(keys) {
      const paths = [...new Set(keys)].map((key) => `/${key}`);
      for (let i = 0; i < paths.length; i += PATHS_PER_INVALIDATION) {
        const items = paths.slice(i, i + PATHS_PER_INVALIDATION);
        await client.send(
          new CreateInvalidationCommand({
            DistributionId: options.distributionId,
            InvalidationBatch: {
              CallerReference: randomUUID(),
              Paths: { Quantity: items.length, Items: items },
            },
          }),
        );
      }
    },
  };
}
