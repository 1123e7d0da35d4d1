/**
 * The change stream of a DynamoDB table, read through the DynamoDB Streams
 * API: shards in lineage order (a parent before its children), each from the
 * consumer's checkpoint. Checkpoints live in a companion table, because a
 * checkpoint written to the streamed table would itself be streamed.
 *
 * On AWS the stream consumer Lambda gets the same records from an event
 * source mapping instead; this reader is for servers that consume directly.
 */
import {
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as WireRecord,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  ChangeStream,
  StreamConsumerOptions,
  StreamRecord,
  StreamSubscription,
} from '../../ports/item-store/item-store.ts';
import { ConsumerLoop, ConsumerSet, type Subscriber } from '../../ports/item-store/consumer-loop.ts';

export interface DynamoDbChangeStreamOptions {
  client: DynamoDBClient;
  streamsClient: DynamoDBStreamsClient;
  table: string;
  checkpointTable: string;
  region: string;
  pollIntervalMs: number;
}

export class DynamoDbChangeStream implements ChangeStream {
  private readonly consumers: ConsumerSet<DynamoDbConsumer>;

  constructor(private readonly options: DynamoDbChangeStreamOptions) {
    // GetRecords returns at most 1,000 records.
    this.consumers = new ConsumerSet({ pollIntervalMs: options.pollIntervalMs, maxBatchSize: 1000 });
  }

  subscribe(
    consumer: string,
    handler: (records: StreamRecord[]) => Promise<void>,
    options: StreamConsumerOptions = {},
  ): StreamSubscription {
    return this.consumers.add(consumer, handler, options, (subscriber) => {
      return new DynamoDbConsumer(this.options, subscriber);
    });
  }

  close(): Promise<void> {
    return this.consumers.close();
  }
}

/** A record from the Streams API in the shape Lambda hands to a stream handler. */
export function toStreamRecord(record: WireRecord, region: string): StreamRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  const result: StreamRecord = {
    eventID: record.eventID ?? '',
    eventName: record.eventName as StreamRecord['eventName'],
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: record.awsRegion ?? region,
    dynamodb: {
      Keys: (data.Keys ?? {}) as StreamRecord['dynamodb']['Keys'],
      SequenceNumber: data.SequenceNumber ?? '',
      SizeBytes: data.SizeBytes ?? 0,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: Math.floor(
        (created instanceof Date ? created.getTime() : Date.now()) / 1000,
      ),
    },
  };
  if (data.NewImage) result.dynamodb.NewImage = data.NewImage as StreamRecord['dynamodb']['Keys'];
  if (data.OldImage) result.dynamodb.OldImage = data.OldImage as StreamRecord['dynamodb']['Keys'];
  if (record.userIdentity?.PrincipalId === 'dynamodb.amazonaws.com') {
    result.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
  }
  return result;
}

interface ShardPosition {
  sequence: string | undefined;
  finished: boolean;
}

class DynamoDbConsumer extends ConsumerLoop {
  private streamArn: string | undefined;
  private loaded = false;
  private readonly positions = new Map<string, ShardPosition>();
  private readonly iterators = new Map<string, string>();
  private pass = 0;
  /** The last pass over every shard that found nothing new. */
  private caughtUpPass = 0;

  constructor(
    private readonly options: DynamoDbChangeStreamOptions,
    subscriber: Subscriber,
  ) {
    super(subscriber);
  }

  /** A pass that began after the call and found nothing new has caught up. */
  drain(): Promise<void> {
    const afterPass = this.pass;
    return this.waitUntil(() => this.caughtUpPass > afterPass);
  }

  protected async turn(): Promise<boolean> {
    const passNumber = ++this.pass;
    // Checkpoints are read inside the retried turn: DynamoDB may be unreachable at start.
    if (!this.loaded) {
      await this.loadCheckpoints();
      this.loaded = true;
    }
    let delivered = 0;
    for (const shard of await this.shardsInLineageOrder()) {
      if (!this.isRunning) break;
      delivered += await this.readShard(shard);
    }
    if (delivered === 0) this.caughtUpPass = passNumber;
    return delivered > 0;
  }

  /** Reads what a shard has from the checkpoint on; returns how many records were handled. */
  private async readShard(shard: Shard): Promise<number> {
    const shardId = shard.ShardId as string;
    const position = this.positions.get(shardId) ?? { sequence: undefined, finished: false };
    if (position.finished) return 0;
    let iterator = this.iterators.get(shardId) ?? (await this.newIterator(shardId, position.sequence));
    let handled = 0;
    while (this.isRunning && iterator) {
      const output = await this.getRecords(iterator).catch(async (error: unknown) => {
        this.iterators.delete(shardId);
        // An iterator expires after 15 minutes, and DynamoDB Local refuses one taken from an empty
        // shard once records arrive: a new one from the checkpoint reads on. Anything else is an error.
        const name = (error as { name?: string }).name;
        if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') throw error;
        const fresh = await this.newIterator(shardId, position.sequence);
        if (!fresh) throw error;
        return this.getRecords(fresh);
      });
      const records = (output.Records ?? []).map((record) => toStreamRecord(record, this.options.region));
      if (records.length > 0) {
        try {
          await this.handle(records);
        } catch (error) {
          // Forget the iterator so the batch is read again from the checkpoint: at-least-once.
          this.iterators.delete(shardId);
          throw error;
        }
        position.sequence = records[records.length - 1]?.dynamodb.SequenceNumber;
        handled += records.length;
      }
      if (!output.NextShardIterator) {
        position.finished = true;
        this.iterators.delete(shardId);
      } else {
        this.iterators.set(shardId, output.NextShardIterator);
      }
      if (records.length > 0 || position.finished) await this.saveCheckpoint(shardId, position);
      this.positions.set(shardId, position);
      iterator = records.length > 0 ? output.NextShardIterator : undefined;
    }
    return handled;
  }

  private getRecords(iterator: string) {
    return this.options.streamsClient.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: this.subscriber.settings.batchSize }),
    );
  }

  private async newIterator(shardId: string, sequence: string | undefined): Promise<string | undefined> {
    const output = await this.options.streamsClient.send(
      new GetShardIteratorCommand({
        StreamArn: await this.arn(),
        ShardId: shardId,
        ...(sequence
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequence }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return output.ShardIterator;
  }

  private async arn(): Promise<string> {
    if (!this.streamArn) {
      const output = await this.options.client.send(
        new DescribeTableCommand({ TableName: this.options.table }),
      );
      const arn = output.Table?.LatestStreamArn;
      if (!arn) throw new Error(`Table ${this.options.table} has no stream; run \`plaza table create\``);
      this.streamArn = arn;
    }
    return this.streamArn;
  }

  private async shardsInLineageOrder(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const output = await this.options.streamsClient.send(
        new DescribeStreamCommand({
          StreamArn: await this.arn(),
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      shards.push(...(output.StreamDescription?.Shards ?? []));
      start = output.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const byId = new Map(shards.map((shard) => [shard.ShardId as string, shard]));
    const ordered: Shard[] = [];
    const seen = new Set<string>();
    const visit = (shard: Shard) => {
      const id = shard.ShardId as string;
      if (seen.has(id)) return;
      seen.add(id);
      const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
      if (parent) visit(parent);
      ordered.push(shard);
    };
    shards.forEach(visit);
    return ordered;
  }

  private async loadCheckpoints(): Promise<void> {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.checkpointTable,
          KeyConditionExpression: 'PK = :consumer',
          ExpressionAttributeValues: { ':consumer': { S: this.checkpointPartition() } },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of output.Items ?? []) {
        this.positions.set(item.SK?.S as string, {
          sequence: item.sequence?.S,
          finished: item.finished?.BOOL === true,
        });
      }
      start = output.LastEvaluatedKey;
    } while (start);
  }

  private async saveCheckpoint(shardId: string, position: ShardPosition): Promise<void> {
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.checkpointTable,
        Item: {
          PK: { S: this.checkpointPartition() },
          SK: { S: shardId },
          ...(position.sequence ? { sequence: { S: position.sequence } } : {}),
          finished: { BOOL: position.finished },
        },
      }),
    );
  }

  private checkpointPartition(): string {
    return `${this.options.table}#${this.subscriber.name}`;
  }
}
