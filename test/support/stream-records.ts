/** Change records in DynamoDB Streams' shape, for consumers' unit tests. */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Item, StreamRecord, WireAttributeValue } from '../../src/ports/item-store/item-store.ts';

let sequence = 0;

const wire = (item: Item) =>
  marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Record<
    string,
    WireAttributeValue
  >;

/** A change to the item with `PK`/`SK`; times are seconds since the epoch. */
export function streamRecord(
  eventName: StreamRecord['eventName'],
  images: { old?: Item; new?: Item },
  options: { at?: number; eventID?: string; byTtl?: boolean } = {},
): StreamRecord {
  const image = (images.new ?? images.old)!;
  sequence++;
  return {
    eventID: options.eventID ?? `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-west-1',
    dynamodb: {
      Keys: { PK: { S: String(image.PK) }, SK: { S: String(image.SK) } },
      ...(images.new ? { NewImage: wire(images.new) } : {}),
      ...(images.old ? { OldImage: wire(images.old) } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: options.at ?? Date.UTC(2026, 11, 7, 12) / 1000,
    },
    ...(options.byTtl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}
