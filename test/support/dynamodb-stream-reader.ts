/**
 * A table's stream on DynamoDB Local, read as Lambda receives it: each call answers the records
 * written since the last call, in the event's shape (times in seconds, the stream's ARN named).
 */
import { DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

export async function dynamoDbStreamReader(
  settings: DynamoDBClientConfig,
  table: string,
): Promise<() => Promise<DynamoDBRecord[]>> {
  const client = new DynamoDBClient(settings);
  const streams = new DynamoDBStreamsClient(settings);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  client.destroy();
  const streamArn = Table?.LatestStreamArn as string;
  const after = new Map<string, string>();
  return async () => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId as string;
      const last = after.get(shardId);
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ...(last
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        if (!page.Records?.length) break;
        for (const record of page.Records) {
          const change = record.dynamodb!;
          const at = Math.floor((change.ApproximateCreationDateTime?.getTime() ?? 0) / 1000);
          records.push(
            JSON.parse(
              JSON.stringify({
                ...record,
                dynamodb: { ...change, ApproximateCreationDateTime: at },
                eventSourceARN: streamArn,
              }),
            ) as DynamoDBRecord,
          );
          after.set(shardId, change.SequenceNumber as string);
        }
        iterator = page.NextShardIterator;
      }
    }
    return records;
  };
}
