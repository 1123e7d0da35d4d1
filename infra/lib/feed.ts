/**
 * The home feed's fan-out: the table's stream feeds a Lambda running the same
 * `fanOutFeed` the local server runs on its change log, and the notifications,
 * which it publishes to AppSync (publishNotification, signed with its role) so
 * onNotification reaches their recipients. Only the records it acts on reach it
 * (event filters); a failing record is retried from where it failed, then set
 * aside in a dead-letter queue so the stream keeps moving.
 */
import { Duration } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PlazaTable } from './data.ts';
import { feedFanOutFilterPatterns } from './feed-stream-filters.ts';
import { plazaFunction } from './plaza-function.ts';
import type { LambdaRuntimeName } from './settings.ts';

export class PlazaFeed extends Construct {
  readonly fanOut: NodejsFunction;
  readonly deadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: {
      table: PlazaTable;
      runtime: LambdaRuntimeName;
      fanOutFollowerLimit: number;
      /** Where the notifications it writes are published for onNotification. */
      api: GraphqlApi;
    },
  ) {
    super(scope, id);
    this.fanOut = plazaFunction(this, 'FanOut', {
      entry: 'src/bin/lambda/feed-fan-out.ts',
      runtime: props.runtime,
      description: "DynamoDB stream consumer: fans new posts out to followers' home feeds",
      environment: {
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: props.table.table.tableName,
        // The hybrid fan-out's threshold, as the config file's social.fanOutFollowerLimit sets it locally.
        PLAZA_FAN_OUT_FOLLOWER_LIMIT: String(props.fanOutFollowerLimit),
        PLAZA_APPSYNC_URL: props.api.graphqlUrl,
      },
      memorySize: 512,
      timeout: Duration.seconds(60),
    });
    // Profiles and followers are read, feed entries written; notifications (social/notify.ts) are
    // written and taken back in transactions beside their unread counts, checked against the
    // recipient's profile.
    props.table.grantItems(
      this.fanOut,
      'GetItem',
      'BatchGetItem',
      'Query',
      'BatchWriteItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'ConditionCheckItem',
    );
    // AppSync's onNotification fires on this mutation alone, which no other principal may call.
    props.api.grantMutation(this.fanOut, 'publishNotification');

    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.fanOut.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetters),
        filters: feedFanOutFilterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
      }),
    );
  }
}
