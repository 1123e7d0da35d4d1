/**
 * The data lifecycle on AWS (issue 16): one consumer of the table's stream running, on each record,
 * the two functions the local server runs on its change log, fed only the records they act on
 * (event filters), retried from the record that failed and then set aside in a dead-letter queue.
 *
 * - Erasure (`cascadeDeletions`): what a deletion leaves — an account's posts, follows, likes,
 *   comments, stories and media, a post's likes, comments and media — leaves the table, the
 *   bucket, CloudFront's edges (invalidations) and AppSync's cache (one flush per batch).
 * - Data export (`buildDataExports`): builds the requested zip under `exports/`, and removes it
 *   when its export item goes.
 *
 * One function, not one each: every event source mapping reads every shard of the stream, AWS
 * advises at most two readers per shard (more are throttled), and the feed fan-out is the other.
 *
 * A closed account's cascade can run for minutes; each step is idempotent, so an invocation cut
 * short by its timeout is retried and carries on from what is left.
 */
import { Duration, Size } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PlazaApi } from './api.ts';
import type { PlazaTable } from './data.ts';
import { dataLifecycleFilterPatterns } from './lifecycle-stream-filters.ts';
import { exportsPrefix, mediaPrefixes, type PlazaMedia } from './media.ts';
import { plazaFunction } from './plaza-function.ts';
import type { LambdaRuntimeName } from './settings.ts';

export class PlazaLifecycle extends Construct {
  /** Erasure and data export, on the table's stream. */
  readonly consumer: NodejsFunction;
  readonly deadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: { table: PlazaTable; media: PlazaMedia; api: PlazaApi; runtime: LambdaRuntimeName },
  ) {
    super(scope, id);
    const { table, media, api } = props;
    const bucket = media.bucket;

    this.consumer = plazaFunction(this, 'DataLifecycle', {
      entry: 'src/bin/lambda/data-lifecycle.ts',
      runtime: props.runtime,
      description:
        'DynamoDB stream consumer: erases what deleted posts, stories, uploads and accounts leave; builds and removes data exports',
      environment: {
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: table.table.tableName,
        PLAZA_STORAGE: 's3',
        S3_BUCKET: bucket.bucketName,
        PLAZA_CDN_DISTRIBUTION_ID: media.distribution.distributionId,
        ...(api.cache ? { PLAZA_APPSYNC_API_ID: api.api.apiId } : {}),
      },
      // The export's zip is streamed (a page of items or one object at a time); more memory buys
      // network and CPU, for the cascades too.
      memorySize: 2048,
      // Lambda's longest: a large account's cascade or archive; a retry resumes what a timeout cut short.
      timeout: Duration.minutes(15),
      // The archive is assembled in /tmp, then stored with one PutObject, which takes at most 5 GB.
      ephemeralStorageSize: Size.gibibytes(6),
    });

    // Erasure: items of the account's partition, of its posts and of the owner index (GSI1) go, and
    // others' counts move. Export: the user's items (own partition, owner index, the posts and
    // profiles they name), and the export item's status.
    table.grantItemsAndIndexQueries(
      this.consumer,
      ['GSI1'],
      'GetItem',
      'BatchGetItem',
      'Query',
      'DeleteItem',
      'BatchWriteItem',
      'UpdateItem',
    );
    const objects = (actions: string[], prefixes: string[]) =>
      this.consumer.addToRolePolicy(
        new PolicyStatement({
          actions,
          resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
        }),
      );
    // Erasure deletes media and zips, and the object store HEADs each object it lists or deletes
    // (GetObject, on the same keys); the export reads the originals (under these prefixes) and its
    // zip, and removes the zip when its item goes.
    objects(['s3:GetObject', 's3:DeleteObject'], [...mediaPrefixes, exportsPrefix]);
    // Only the export writes, and only zips.
    objects(['s3:PutObject'], [exportsPrefix]);
    // Listing the prefixes to erase; and without it S3 answers a HEAD of a missing object with 403, not 404.
    this.consumer.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    media.distribution.grantCreateInvalidation(this.consumer);
    if (api.cache) {
      this.consumer.addToRolePolicy(
        new PolicyStatement({ actions: ['appsync:FlushApiCache'], resources: [api.api.arn] }),
      );
    }

    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.consumer.addEventSource(
      new DynamoEventSource(table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // A batch's records are handled in turn, and its AppSync flush and its checkpoint come at
        // its end: an export build (minutes, for a large account) holds back the flush of the
        // erasures before it in its batch, and a batch cut short by the timeout is retried whole
        // (the erasures redone, the zip rebuilt). So few records to a batch: at most 4 wait on
        // one build, and a timeout repeats little; but more than one, so a burst of deletions
        // is still flushed once per few records, not once per record. (The records after a batch
        // wait for it whatever its size: the shard is read in order.)
        batchSize: 5,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // As many as a large account's cascade may need to finish, resumed from one timeout to
        // the next. A failed build marks its export FAILED: its retries are for faults around it.
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetters),
        filters: dataLifecycleFilterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
      }),
    );
  }
}
