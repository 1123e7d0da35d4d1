/**
 * The design's automated user-pool export: once a week, on the table's backup schedule, Cognito's
 * user-import CSV of every user goes to `user-pool-exports/<date>.csv` and is kept as long as
 * the backups (context `backupRetentionDays`), so a lost or damaged pool can be refilled by an
 * import job. Each export is replicated to a bucket in the secondary region (disaster-recovery.ts),
 * where a pool is rebuilt when the primary region is lost (README: "Failing over to us-east-1").
 *
 * The CSV holds every user's email and phone number: it has a bucket of its own, with no
 * CloudFront in front (the media bucket's distribution serves any key it is not told to sign).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlanRule } from 'aws-cdk-lib/aws-backup';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { userPoolExportsPrefix } from '../../src/domain/identity/store-user-pool-export.ts';
import {
  CrossRegionReplication,
  recoveryNames,
  replacedExportDays,
  type DisasterRecoverySettings,
} from './disaster-recovery.ts';
import type { PlazaTable } from './data.ts';
import { plazaFunction } from './plaza-function.ts';
import type { LambdaRuntimeName } from './settings.ts';

/** The exports' lifecycle, the same on their copy in the secondary region. */
export function userPoolExportLifecycleRules(recovery: DisasterRecoverySettings): LifecycleRule[] {
  return [
    {
      id: 'user-pool-exports',
      prefix: userPoolExportsPrefix,
      expiration: Duration.days(recovery.backupRetentionDays),
      noncurrentVersionExpiration: replacedExportDays,
    },
    // What expiry leaves behind a versioned key: its delete marker.
    { id: 'delete-markers', expiredObjectDeleteMarker: true },
    // A run cut short by the timeout leaves its parts behind.
    { id: 'unfinished-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
  ];
}

export class PlazaUserPoolExport extends Construct {
  readonly bucket: Bucket;
  readonly exporter: NodejsFunction;
  readonly schedule: Rule;
  /** The copy to the secondary region; none when failing over. */
  readonly replication: CrossRegionReplication | undefined;
  /** Failing over: the job that refills this stack's pool from the export's copy (ADR 0016). */
  readonly migrator: NodejsFunction | undefined;

  constructor(
    scope: Construct,
    id: string,
    props: {
      userPool: IUserPool;
      table: PlazaTable;
      runtime: LambdaRuntimeName;
      stage: string;
      recovery: DisasterRecoverySettings;
    },
  ) {
    super(scope, id);
    // The table's weekly backup rule (data.ts): the same day and hour, and the same retention.
    const backups = BackupPlanRule.weekly().props;

    // Replication needs versions; a second export on the same day replaces the first, whose version
    // goes a day later. Failing over, the lost region has nothing to receive a copy.
    const replication = props.recovery.failover
      ? undefined
      : new CrossRegionReplication(this, 'Replication', {
          bucketName: recoveryNames(props.stage).userPoolExportsBucket,
          region: props.recovery.secondaryRegion,
        });
    this.replication = replication;
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: userPoolExportLifecycleRules(props.recovery),
      ...replication?.bucketProps,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    replication?.allowFrom(this.bucket);

    this.exporter = plazaFunction(this, 'UsersExport', {
      entry: 'src/bin/lambda/users-export.ts',
      runtime: props.runtime,
      description: "Weekly user-pool export: Cognito's user-import CSV of every user, to S3",
      environment: {
        COGNITO_USER_POOL_ID: props.userPool.userPoolId,
        PLAZA_STORAGE: 's3',
        S3_BUCKET: this.bucket.bucketName,
      },
      // One 8 MiB part in memory at a time; ListUsers' 60 users a page, throttled as Cognito
      // throttles, for a large pool takes minutes.
      memorySize: 512,
      timeout: Duration.minutes(15),
    });
    this.exporter.addToRolePolicy(
      new PolicyStatement({
        actions: ['cognito-idp:ListUsers', 'cognito-idp:GetCSVHeader', 'cognito-idp:AdminGetUser'],
        resources: [props.userPool.userPoolArn],
      }),
    );
    // PutObject covers the multipart upload's calls; AbortMultipartUpload clears a failed one.
    this.exporter.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${userPoolExportsPrefix}*`)],
      }),
    );

    this.migrator = props.recovery.failover ? this.userMigration(props) : undefined;

    this.schedule = new Rule(this, 'Schedule', {
      description: 'The user-pool export, on the table backup plan’s weekly schedule',
      schedule: backups.scheduleExpression,
      targets: [new LambdaFunction(this.exporter, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });
  }

  /**
   * The failover's user migration: the primary's exports, replicated to this region, read from
   * their copy; users made in this stack's pool and linked to their data in the table replica.
   */
  private userMigration(props: {
    userPool: IUserPool;
    table: PlazaTable;
    runtime: LambdaRuntimeName;
    stage: string;
  }) {
    const copy = recoveryNames(props.stage).userPoolExportsBucket;
    const migrator = plazaFunction(this, 'UsersMigrate', {
      entry: 'src/bin/lambda/users-migrate.ts',
      runtime: props.runtime,
      description:
        "Failover: the primary pool's export made again in this pool, each user linked to their data",
      environment: {
        COGNITO_USER_POOL_ID: props.userPool.userPoolId,
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: props.table.table.tableName,
        PLAZA_STORAGE: 's3',
        S3_BUCKET: copy,
      },
      memorySize: 512,
      // A few calls a user, within Cognito's admin quotas; a pool that needs longer is run again.
      timeout: Duration.minutes(15),
    });
    migrator.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminGetUser',
          'cognito-idp:AdminSetUserPassword',
          'cognito-idp:AdminSetUserMFAPreference',
        ],
        resources: [props.userPool.userPoolArn],
      }),
    );
    migrator.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          Bucket.fromBucketName(this, 'ExportsCopy', copy).arnForObjects(`${userPoolExportsPrefix}*`),
        ],
      }),
    );
    props.table.grantItems(migrator, 'GetItem', 'PutItem');
    return migrator;
  }
}
