/**
 * DynamoDB stream records as Lambda delivers them, turned into the ItemStore's
 * StreamRecord, so a consumer written against the change stream (the feed
 * fan-out) runs unchanged on a DynamoDB event source mapping.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { PlazaError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { StreamRecord, WireAttributeValue } from '../../ports/item-store/item-store.ts';

type WireImage = Record<string, WireAttributeValue>;

export function toStreamRecord(record: DynamoDBRecord): StreamRecord {
  const change = record.dynamodb;
  if (!change?.Keys || !change.SequenceNumber || !record.eventName || !record.eventID) {
    throw new PlazaError('ValidationException', `Stream record ${record.eventID ?? '?'} is incomplete`);
  }
  if (change.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
    throw new PlazaError(
      'ValidationException',
      `The stream must carry NEW_AND_OLD_IMAGES, not ${change.StreamViewType ?? 'nothing'}`,
    );
  }
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: record.awsRegion ?? '',
    dynamodb: {
      Keys: change.Keys as WireImage,
      ...(change.NewImage ? { NewImage: change.NewImage as WireImage } : {}),
      ...(change.OldImage ? { OldImage: change.OldImage as WireImage } : {}),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes ?? 0,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: change.ApproximateCreationDateTime ?? 0,
    },
    ...(record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId === 'dynamodb.amazonaws.com'
      ? { userIdentity: { type: 'Service' as const, principalId: 'dynamodb.amazonaws.com' as const } }
      : {}),
  };
}

/**
 * Hands the batch to the consumer one record at a time, in order. When one fails, it and the
 * records after it are reported (ReportBatchItemFailures), so Lambda retries from there and the
 * records already handled are not handled again.
 */
export async function consumeStreamEvent(
  event: DynamoDBStreamEvent,
  consume: (records: StreamRecord[]) => Promise<void>,
  logger: Logger,
): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    try {
      await consume([toStreamRecord(record)]);
    } catch (error) {
      const itemIdentifier = record.dynamodb?.SequenceNumber ?? '';
      logger.error(
        { err: error, eventID: record.eventID, sequenceNumber: itemIdentifier },
        'stream record failed',
      );
      return { batchItemFailures: [{ itemIdentifier }] };
    }
  }
  return { batchItemFailures: [] };
}
