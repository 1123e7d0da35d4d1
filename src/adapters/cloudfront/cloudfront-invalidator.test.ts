import type { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { cloudFrontInvalidator } from './cloudfront-invalidator.ts';

describe('CloudFront invalidations', () => {
  it('sends each key once as a path, in batches CloudFront accepts', async () => {
    const sent: CreateInvalidationCommand[] = [];
    const invalidator = cloudFrontInvalidator({
      distributionId: 'E2EXAMPLE1',
      region: 'us-east-1',
      client: { send: async (command: unknown) => sent.push(command as CreateInvalidationCommand) } as never,
    });
    const keys = Array.from({ length: 3001 }, (_, i) => `users/u${i}/*`);
    await invalidator.invalidate([...keys, 'users/u0/*']);
    expect(sent).toHaveLength(2);
    const [first, second] = sent.map((command) => command.input);
    expect(first?.DistributionId).toBe('E2EXAMPLE1');
    expect(first?.InvalidationBatch?.Paths?.Quantity).toBe(3000);
    expect(first?.InvalidationBatch?.Paths?.Items?.[0]).toBe('/users/u0/*');
    expect(second?.InvalidationBatch?.Paths?.Items).toEqual(['/users/u3000/*']);
    expect(first?.InvalidationBatch?.CallerReference).not.toBe(second?.InvalidationBatch?.CallerReference);
  });
});
