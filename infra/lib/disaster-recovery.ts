/**
 * The design's multi-region disaster recovery (issue 22): a secondary region (`us-east-1` by default,
 * the design's) holds a replica of the table (a global table, data.ts), copies of the media and of
 * the user-pool exports (S3 cross-region replication) and copies of the weekly backups (an AWS
 * Backup copy action). README.md, "Failing over to us-east-1", says what happens when the primary
 * region is lost.
 *
 * The replica buckets and the backup vault belong to a small stack of their own in the secondary
 * region (`Plaza-<stage>-recovery`, disaster-recovery-stack.ts), deployed before the main stack, which
 * names them rather than taking them as `crossRegionReferences`: those pass values through SSM
 * parameters written by custom resources in each region, and lock the exporting stack while a
 * reference stands, machinery for names we can compute from the stage and the account. And a copy
 * that the main stack neither creates nor holds a reference to outlives the main stack, and its region.
 */
import { Arn, ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import { type IBackupVault, BackupVault } from 'aws-cdk-lib/aws-backup';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Bucket, ReplicationTimeValue, type BucketProps, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, type Node } from 'constructs';
import type { InfraAlarm } from './alarms.ts';

export interface DisasterRecoverySettings {
  /** Where the replica, the copies and the backup copies live (context `secondaryRegion`). */
  secondaryRegion: string;
  /** Days the weekly backups, their copies and the user-pool exports are kept (context `backupRetentionDays`). */
  backupRetentionDays: number;
  /**
   * Set (context `failover=true` and `replicaStreamArn`) when the app is deployed in the secondary
   * region against the table's replica and the media's copy, the primary region lost: the replica's
   * stream, which its consumers there read.
   */
  failover: { replicaStreamArn: string } | undefined;
}

const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function readDisasterRecovery(node: Node, primaryRegion: string): DisasterRecoverySettings {
  const secondaryRegion = String(node.tryGetContext('secondaryRegion') ?? 'us-east-1');
  if (!regionPattern.test(secondaryRegion)) {
    throw new Error(
      `Context secondaryRegion must be an AWS region such as us-east-1, not "${secondaryRegion}"`,
    );
  }
  if (secondaryRegion === primaryRegion) {
    throw new Error(`Context secondaryRegion must differ from region (both are ${primaryRegion})`);
  }
  // Weekly backups kept less than a week would leave days with none.
  const backupRetentionDays = Number(node.tryGetContext('backupRetentionDays') ?? 90);
  if (!Number.isInteger(backupRetentionDays) || backupRetentionDays < 7 || backupRetentionDays > 36500) {
    throw new Error('Context backupRetentionDays must be a whole number of days from 7 to 36500');
  }
  return { secondaryRegion, backupRetentionDays, failover: readFailover(node, secondaryRegion) };
}

function readFailover(node: Node, secondaryRegion: string): DisasterRecoverySettings['failover'] {
  const failover: unknown = node.tryGetContext('failover');
  if (failover === undefined || failover === false || failover === 'false') return undefined;
  if (failover !== true && failover !== 'true') {
    throw new Error(`Context failover must be true or false, not ${JSON.stringify(failover)}`);
  }
  const replicaStreamArn = String(node.tryGetContext('replicaStreamArn') ?? '');
  const streamPattern = new RegExp(
    `^arn:aws[a-z-]*:dynamodb:${secondaryRegion}:\\d{12}:table/[^/]+/stream/.+$`,
  );
  if (!streamPattern.test(replicaStreamArn)) {
    throw new Error(
      `Context failover needs replicaStreamArn, the replica's stream in ${secondaryRegion}: ` +
        `aws dynamodb describe-table --region ${secondaryRegion} --table-name <table> --query Table.LatestStreamArn`,
    );
  }
  return { replicaStreamArn };
}

/**
 * A failover deployment's settings: it runs in the secondary region, and the region it would copy
 * to is the lost primary (nothing is replicated there: the table's replica and the media's copy are
 * used in place, README "Failing over to us-east-1").
 */
export function failingOver<S extends { region: string; disasterRecovery: DisasterRecoverySettings }>(
  settings: S,
): S {
  const { disasterRecovery } = settings;
  return {
    ...settings,
    region: disasterRecovery.secondaryRegion,
    disasterRecovery: { ...disasterRecovery, secondaryRegion: settings.region },
  };
}

/** The secondary region's names, which both stacks compute (bucket names are global: the account is in them). */
export function recoveryNames(stage: string, account: string = Aws.ACCOUNT_ID) {
  return {
    stack: `Plaza-${stage}-recovery`,
    mediaBucket: `plaza-${stage}-media-dr-${account}`,
    userPoolExportsBucket: `plaza-${stage}-users-dr-${account}`,
    backupVault: `plaza-${stage}-dr`,
  };
}

/** The secondary region's backup vault, as a copy action's destination. */
export function secondaryVault(scope: Construct, id: string, stage: string, region: string): IBackupVault {
  return BackupVault.fromBackupVaultArn(
    scope,
    id,
    Arn.format(
      {
        service: 'backup',
        region,
        resource: 'backup-vault',
        resourceName: recoveryNames(stage).backupVault,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(scope),
    ),
  );
}

/**
 * S3 cross-region replication of a whole bucket to its copy in the secondary region, deletions
 * included: an erasure's delete marker reaches the copy, whose lifecycle then removes what it hid, as
 * the source's does. A role of its own per bucket (CDK's default role has a fixed name, one per account).
 */
export class CrossRegionReplication extends Construct {
  readonly role: Role;
  readonly destination: IBucket;

  constructor(scope: Construct, id: string, props: { bucketName: string; region: string }) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('s3.amazonaws.com'),
      description: `S3 replication to ${props.bucketName} (${props.region})`,
    });
    this.destination = Bucket.fromBucketAttributes(this, 'Destination', {
      bucketName: props.bucketName,
      region: props.region,
    });
  }

  /** The source bucket's replication properties. */
  get bucketProps(): Pick<BucketProps, 'replicationRole' | 'replicationRules'> {
    return {
      replicationRole: this.role,
      replicationRules: [
        {
          id: replicationRuleId,
          destination: this.destination,
          priority: 0,
          deleteMarkerReplication: true,
          // S3 publishes the rule's failed, pending and late replications only when asked.
          metrics: ReplicationTimeValue.FIFTEEN_MINUTES,
        },
      ],
    };
  }

  /** Objects S3 gave up replicating from the source (S3 retries transient failures itself). */
  failedReplications(source: IBucket): Metric {
    return new Metric({
      namespace: 'AWS/S3',
      metricName: 'OperationsFailedReplication',
      dimensionsMap: {
        SourceBucket: source.bucketName,
        DestinationBucket: this.destination.bucketName,
        RuleId: replicationRuleId,
      },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  /**
   * Least privilege, as S3's replication documents it: read the source's configuration and its
   * objects' versions, write replicas (objects, delete markers, tags) into the destination; nothing else.
   */
  allowFrom(source: IBucket): void {
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [source.bucketArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
        ],
        resources: [source.arnForObjects('*')],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: [this.destination.arnForObjects('*')],
      }),
    );
  }
}

const replicationRuleId = 'secondary-region';

/**
 * The alarms that say the secondary region is falling behind: the table's replica more than a
 * minute behind for 15 minutes (typically it is a second or two), and any object S3 failed to copy.
 * None when failing over: there is nothing to replicate to.
 */
export function recoveryAlarms(
  parts: {
    table: { table: { tableName: string } };
    media: { bucket: IBucket; replication: CrossRegionReplication | undefined };
    userPoolExport: { bucket: IBucket; replication: CrossRegionReplication | undefined };
  },
  recovery: DisasterRecoverySettings,
): InfraAlarm[] {
  if (recovery.failover) return [];
  const copies = {
    MediaReplicationFailures: parts.media,
    UserPoolExportReplicationFailures: parts.userPoolExport,
  };
  return [
    {
      name: 'TableReplicaLag',
      description: `The table's replica in ${recovery.secondaryRegion} is more than a minute behind`,
      metric: new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensionsMap: { TableName: parts.table.table.tableName, ReceivingRegion: recovery.secondaryRegion },
        statistic: 'Average',
        period: Duration.minutes(5),
      }),
      threshold: 60_000,
      evaluationPeriods: 3,
    },
    ...Object.entries(copies).flatMap(([name, { bucket, replication }]): InfraAlarm[] =>
      replication
        ? [
            {
              name,
              description: `Objects S3 failed to copy to ${recovery.secondaryRegion}`,
              metric: replication.failedReplications(bucket),
              threshold: 1,
              evaluationPeriods: 1,
            },
          ]
        : [],
    ),
  ];
}

/** How long a replaced user-pool export (a second run on the same day) is kept. */
export const replacedExportDays = Duration.days(1);
