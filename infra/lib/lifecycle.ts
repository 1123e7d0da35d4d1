/**
 * The data lifecycle on AWS (issue 16): two consumers of the table's stream, each running the
 * function the local server runs on its change log, fed only the records it acts on (event
 * filters), retried from the record that failed and then set aside in a dead-letter queue.
 *
 * - Erasure (`cascadeDeletions`): what a deletion leaves — an account's posts, follows, likes,
 *   comments, stories and media, a post's likes, comments and media — leaves the table, the
 *   bucket, CloudFront's edges (invalidations) and AppSync's cache (one flush per batch).
 * - Data export (`buildDataExports`): builds the requested zip under `exports/`, and removes it
 *   when its export item goes.
 *
 * A closed account's cascade can run for minutes; each step is idempotent, so an invocation cut
 * short by its timeout is retried and carries on from what is left.
 */
import { Duration, Size } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { originalKey } from '../../src/domain/media/media-keys.ts';
import type { PlazaApi } from './api.ts';
import type { PlazaTable } from './data.ts';
import { dataExportFilterPatterns, erasureFilterPatterns } from './lifecycle-stream-filters.ts';
import { exportsPrefix, mediaPrefixes, type PlazaMedia } from './media.ts';
import { plazaFunction } from './plaza-function.ts';
import type { LambdaRuntimeName } from './settings.ts';

/** Every original's key, as an IAM resource pattern (`users/*\/posts/*\/original.jpg`, …). */
const originalPatterns = [
  originalKey('POST', '*', '*', false),
  originalKey('AVATAR', '*', '*', false),
  originalKey('STORY', '*', '*', false),
  originalKey('STORY', '*', '*', true),
];

export class PlazaLifecycle extends Construct {
  readonly erasure: NodejsFunction;
  readonly erasureDeadLetters: Queue;
  readonly exports: NodejsFunction;
  readonly exportDeadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: { table: PlazaTable; media: PlazaMedia; api: PlazaApi; runtime: LambdaRuntimeName },
  ) {
    super(scope, id);
    const { table, media, api } = props;
    const bucket = media.bucket;
    const objects = (grantee: IGrantable, actions: string[], keys: string[]) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions, resources: keys.map((key) => bucket.arnForObjects(key)) }),
      );
    // Listing the prefixes to erase; and without it S3 answers a HEAD of a missing object with 403, not 404.
    const listing = new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] });
    const storage = { PLAZA_DB: 'dynamodb', PLAZA_TABLE: table.table.tableName, PLAZA_STORAGE: 's3' };

    this.erasure = plazaFunction(this, 'Erasure', {
      entry: 'src/bin/lambda/data-lifecycle.ts',
      runtime: props.runtime,
      description: 'DynamoDB stream consumer: erases what deleted posts, stories, uploads and accounts leave',
      environment: {
        ...storage,
        S3_BUCKET: bucket.bucketName,
        PLAZA_CDN_DISTRIBUTION_ID: media.distribution.distributionId,
        ...(api.cache ? { PLAZA_APPSYNC_API_ID: api.api.apiId } : {}),
      },
      memorySize: 1024,
      // Lambda's longest: a large account's cascade; a retry resumes what a timeout cut short.
      timeout: Duration.minutes(15),
    });
    // Items of the account's partition, of its posts and of the owner index (GSI1) go; others' counts move.
    table.grantItemsAndIndexQueries(
      this.erasure,
      ['GSI1'],
      'Query',
      'DeleteItem',
      'BatchWriteItem',
      'UpdateItem',
    );
    // The object store HEADs each object it lists or deletes: GetObject, on the same keys.
    objects(
      this.erasure,
      ['s3:GetObject', 's3:DeleteObject'],
      [...mediaPrefixes, exportsPrefix].map((prefix) => `${prefix}*`),
    );
    this.erasure.addToRolePolicy(listing);
    media.distribution.grantCreateInvalidation(this.erasure);
    if (api.cache) {
      this.erasure.addToRolePolicy(
        new PolicyStatement({ actions: ['appsync:FlushApiCache'], resources: [api.api.arn] }),
      );
    }
    this.erasureDeadLetters = this.deadLetterQueue('ErasureDeadLetters');
    this.erasure.addEventSource(
      new DynamoEventSource(table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // Few records to a batch: one closed account can take minutes, and a timeout retries its batch.
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.erasureDeadLetters),
        filters: erasureFilterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
      }),
    );

    this.exports = plazaFunction(this, 'Export', {
      entry: 'src/bin/lambda/data-export.ts',
      runtime: props.runtime,
      description: "DynamoDB stream consumer: builds each requested data export's zip, and removes it after",
      environment: { ...storage, S3_BUCKET: bucket.bucketName },
      // The zip is streamed (a page of items or one object at a time); more memory buys network and CPU.
      memorySize: 2048,
      timeout: Duration.minutes(15),
      // The archive is assembled in /tmp, then stored with one PutObject, which takes at most 5 GB.
      ephemeralStorageSize: Size.gibibytes(6),
    });
    // The user's items (own partition, owner index, the posts and profiles they name); the export item's status.
    table.grantItemsAndIndexQueries(this.exports, ['GSI1'], 'GetItem', 'BatchGetItem', 'Query', 'UpdateItem');
    objects(this.exports, ['s3:GetObject'], [...originalPatterns, `${exportsPrefix}*`]);
    objects(this.exports, ['s3:PutObject', 's3:DeleteObject'], [`${exportsPrefix}*`]);
    this.exports.addToRolePolicy(listing);
    this.exportDeadLetters = this.deadLetterQueue('ExportDeadLetters');
    this.exports.addEventSource(
      new DynamoEventSource(table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // One export to an invocation: each has the whole timeout and ephemeral storage to itself.
        batchSize: 1,
        reportBatchItemFailures: true,
        // A build that fails marks its export FAILED; what is retried here are faults around it.
        retryAttempts: 3,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.exportDeadLetters),
        filters: dataExportFilterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
      }),
    );
  }

  private deadLetterQueue(id: string): Queue {
    return new Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
  }
}
