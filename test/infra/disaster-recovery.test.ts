/**
 * The design's multi-region disaster recovery (issue 22), as the CDK app synthesizes it: the global
 * table's replica, S3 cross-region replication of media and user-pool exports with their least-
 * privilege roles, the lifecycles on both sides, the weekly backups copied to the secondary
 * region, and the recovery stack those copies land in.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDisasterRecovery, recoveryNames } from '../../infra/lib/disaster-recovery.ts';
import type { PlazaRecoveryStack } from '../../infra/lib/disaster-recovery-stack.ts';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { mainIndexes } from '../../src/ports/item-store/table.ts';
import { synthesize, resourcesOf, type Resource, type Statement } from './synth.ts';

let stack: PlazaStack;
let template: Template;
let recovery: PlazaRecoveryStack;
let resources: Record<string, Resource>;
let recoveryResources: Record<string, Resource>;

beforeAll(() => {
  const synthesized = synthesize();
  ({ stack, template } = synthesized);
  recovery = synthesized.recovery!;
  resources = resourcesOf(template);
  recoveryResources = Template.fromStack(recovery).toJSON().Resources as Record<string, Resource>;
});

const account = { Ref: 'AWS::AccountId' };
/** A name with the account in it, as CloudFormation spells it in either stack. */
const named = (prefix: string, suffix = '') => ({
  'Fn::Join': ['', [prefix, account, ...(suffix ? [suffix] : [])]],
});

function ofType(type: string, from = resources): [string, Resource][] {
  return Object.entries(from).filter(([, r]) => r.Type === type);
}

function idOf(scope: Stack, bucket: IBucket): string {
  return scope.getLogicalId(bucket.node.defaultChild as never);
}

/** Every statement of the policies attached to a role, by the role's logical id. */
function statementsOfRole(role: string): Statement[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, r]) => (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The replication rule and role of a source bucket, checked to copy everything, deletions included. */
function replicationOf(bucketId: string, destinationName: string): Statement[] {
  const config = resources[bucketId]!.Properties.ReplicationConfiguration as {
    Role: { 'Fn::GetAtt': [string, string] };
    Rules: unknown[];
  };
  expect(config.Rules).toEqual([
    {
      Id: 'secondary-region',
      Status: 'Enabled',
      Priority: 0,
      Filter: { Prefix: '' },
      DeleteMarkerReplication: { Status: 'Enabled' },
      // Replication metrics, which the failure alarms read.
      Destination: {
        Bucket: named(`arn:aws:s3:::${destinationName}`),
        Metrics: { Status: 'Enabled' },
      },
    },
  ]);
  const role = config.Role['Fn::GetAtt'][0];
  expect(resources[role]!.Properties.AssumeRolePolicyDocument).toEqual({
    Version: '2012-10-17',
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' } }],
  });
  // A role of its own, no managed policies.
  expect(resources[role]!.Properties.ManagedPolicyArns).toBeUndefined();
  expect(resources[role]!.Properties.RoleName).toBeUndefined();
  return statementsOfRole(role);
}

/** Least privilege for S3 replication: the source's configuration and versions, replicas into the destination. */
function expectReplicationPolicy(statements: Statement[], bucketId: string, destinationName: string): void {
  const source = { 'Fn::GetAtt': [bucketId, 'Arn'] };
  expect(statements).toEqual([
    {
      Effect: 'Allow',
      Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
      Resource: source,
    },
    {
      Effect: 'Allow',
      Action: ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'],
      Resource: { 'Fn::Join': ['', [source, '/*']] },
    },
    {
      Effect: 'Allow',
      Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'],
      Resource: named(`arn:aws:s3:::${destinationName}`, '/*'),
    },
  ]);
}

describe('the table, global', () => {
  it('has a replica in us-west-1 and one in us-east-1, each with point-in-time recovery and deletion protection', () => {
    const tables = ofType('AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(1);
    expect(ofType('AWS::DynamoDB::Table')).toEqual([]);
    const [, table] = tables[0]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      TableName: 'plaza-dev',
      BillingMode: 'PAY_PER_REQUEST',
      // Global tables replicate through the stream: it is on in every replica, with both images.
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const replicas = table.Properties.Replicas as Record<string, unknown>[];
    expect(replicas.map((r) => r.Region).sort()).toEqual(['us-east-1', 'us-west-1']);
    for (const replica of replicas) {
      expect(replica).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        // Every index in every region: the app run there after a failover queries them all.
        GlobalSecondaryIndexes: mainIndexes.map((index) => ({ IndexName: index.name })),
      });
    }
  });

  it('takes its secondary region from context, and refuses the primary or a malformed one', () => {
    const { template: elsewhere } = synthesize({ secondaryRegion: 'us-east-2' });
    const [, table] = Object.entries(elsewhere.toJSON().Resources as Record<string, Resource>).find(
      ([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable',
    )!;
    expect((table.Properties.Replicas as { Region: string }[]).map((r) => r.Region).sort()).toEqual([
      'us-east-2',
      'us-west-1',
    ]);
    const read = (context: Record<string, unknown>) =>
      readDisasterRecovery(new App({ context }).node, 'us-west-1');
    expect(read({})).toEqual({ secondaryRegion: 'us-east-1', backupRetentionDays: 90, failover: undefined });
    expect(() => read({ secondaryRegion: 'us-west-1' })).toThrow(/must differ from region/);
    expect(() => read({ secondaryRegion: 'virginia' })).toThrow(/must be an AWS region/);
    expect(() => read({ backupRetentionDays: 3 })).toThrow(/backupRetentionDays/);
    expect(() => read({ backupRetentionDays: 'ninety' })).toThrow(/backupRetentionDays/);
  });

  it("feeds the stream consumers (feed fan-out with the audit log, data lifecycle) from the primary's stream only", () => {
    const [tableId] = ofType('AWS::DynamoDB::GlobalTable')[0]!;
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    expect(mappings.map((m) => m.EventSourceArn)).toEqual([
      { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      { 'Fn::GetAtt': [tableId, 'StreamArn'] },
    ]);
    const functions = mappings.map((m) => (m.FunctionName as { Ref: string }).Ref).sort();
    const lambdaId = (fn: { node: { defaultChild: unknown } }) =>
      stack.getLogicalId(fn.node.defaultChild as never);
    expect(functions).toEqual([lambdaId(stack.feed.fanOut), lambdaId(stack.lifecycle.consumer)].sort());
    // The audit log is written by the fan-out's reader (ADR 0010), to its Object Lock bucket.
    const fanOut = resources[lambdaId(stack.feed.fanOut)]!.Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(fanOut.Variables.PLAZA_AUDIT_BUCKET).toEqual({ Ref: idOf(stack, stack.auditLog.bucket) });
  });
});

describe('the media bucket, replicated', () => {
  it('is versioned and copies every object and deletion to the secondary region’s bucket', () => {
    const bucketId = idOf(stack, stack.media.bucket);
    const name = recoveryNames('dev', '').mediaBucket;
    expect(resources[bucketId]!.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expectReplicationPolicy(replicationOf(bucketId, name), bucketId, name);
  });

  it('keeps the lifecycle: Intelligent-Tiering for originals, old versions expire, unfinished uploads abort', () => {
    const rules = (
      resources[idOf(stack, stack.media.bucket)]!.Properties.LifecycleConfiguration as {
        Rules: Record<string, unknown>[];
      }
    ).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Prefix: 'users/',
          Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }],
        }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
    // The copy expires what the source's rules expire: S3 does not replicate a lifecycle's deletions.
    const copy = recoveryResources[idOf(recovery, recovery.mediaCopy)]!;
    expect(copy.Properties.LifecycleConfiguration).toEqual({ Rules: rules });
  });
});

describe('the alarms on replication', () => {
  it("alarm when the table's replica falls behind and when S3 fails to copy an object", () => {
    const topic = { Ref: stack.getLogicalId(stack.alarms.topic.node.defaultChild as never) };
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const named = (name: string) => alarms.find((a) => a.AlarmName === `plaza-dev-${name}`);
    expect(named('TableReplicaLag')).toMatchObject({
      Namespace: 'AWS/DynamoDB',
      MetricName: 'ReplicationLatency',
      Dimensions: expect.arrayContaining([
        { Name: 'ReceivingRegion', Value: 'us-east-1' },
        { Name: 'TableName', Value: { Ref: ofType('AWS::DynamoDB::GlobalTable')[0]![0] } },
      ]),
      Statistic: 'Average',
      Threshold: 60_000,
      EvaluationPeriods: 3,
      AlarmActions: [topic],
    });
    for (const [name, bucket] of [
      ['MediaReplicationFailures', stack.media.bucket],
      ['UserPoolExportReplicationFailures', stack.userPoolExport.bucket],
    ] as const) {
      expect(named(name)).toMatchObject({
        Namespace: 'AWS/S3',
        MetricName: 'OperationsFailedReplication',
        Dimensions: expect.arrayContaining([
          { Name: 'SourceBucket', Value: { Ref: idOf(stack, bucket) } },
          { Name: 'RuleId', Value: 'secondary-region' },
        ]),
        Statistic: 'Sum',
        Threshold: 1,
        AlarmActions: [topic],
      });
    }
  });
});

describe('the recovery stack in the secondary region', () => {
  it('is deployed in us-east-1 before the main stack, and keeps its copies whatever happens to it', () => {
    expect(recovery.region).toBe('us-east-1');
    expect(recovery.stackName).toBe('Plaza-dev-recovery');
    expect(stack.dependencies).toContain(recovery);
    for (const [, resource] of [
      ...ofType('AWS::S3::Bucket', recoveryResources),
      ...ofType('AWS::Backup::BackupVault', recoveryResources),
    ])
      expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('holds versioned, private, named buckets the main stack replicates to, and the backup copies’ vault', () => {
    const names = recoveryNames('dev', '');
    for (const [bucket, name] of [
      [recovery.mediaCopy, names.mediaBucket],
      [recovery.userPoolExportsCopy, names.userPoolExportsBucket],
    ] as const) {
      expect(recoveryResources[idOf(recovery, bucket)]!.Properties).toMatchObject({
        BucketName: named(name),
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    expect(
      ofType('AWS::Backup::BackupVault', recoveryResources).map(([, r]) => r.Properties.BackupVaultName),
    ).toEqual([names.backupVault]);
    // Nothing else lives there: no functions, no roles the copies do not need.
    expect(
      Object.values(recoveryResources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual(
      [
        'AWS::Backup::BackupVault',
        'AWS::S3::Bucket',
        'AWS::S3::Bucket',
        'AWS::S3::BucketPolicy',
        'AWS::S3::BucketPolicy',
      ].sort(),
    );
  });
});

describe('the weekly backups', () => {
  it('back the table up weekly and copy each backup to the secondary region’s vault, kept as long', () => {
    const [tableId] = ofType('AWS::DynamoDB::GlobalTable')[0]!;
    const [vaultId] = ofType('AWS::Backup::BackupVault')[0]!;
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
    });
    const plans = ofType('AWS::Backup::BackupPlan');
    expect(plans).toHaveLength(1);
    expect((plans[0]![1].Properties.BackupPlan as { BackupPlanRule: unknown[] }).BackupPlanRule).toEqual([
      {
        RuleName: 'Weekly',
        ScheduleExpression: 'cron(0 5 ? * SAT *)',
        TargetBackupVault: { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] },
        Lifecycle: { DeleteAfterDays: 90 },
        CopyActions: [
          {
            DestinationBackupVaultArn: {
              'Fn::Join': [
                '',
                ['arn:aws:backup:us-east-1:', account, `:backup-vault:${recoveryNames('dev').backupVault}`],
              ],
            },
            Lifecycle: { DeleteAfterDays: 90 },
          },
        ],
      },
    ]);
  });

  it('keep backups, their copies and the user-pool exports as long as context backupRetentionDays says', () => {
    const { stack: other, template: shorter, recovery } = synthesize({ backupRetentionDays: 35 });
    const otherRecovery = recovery!;
    const json = shorter.toJSON() as { Resources: Record<string, Resource> };
    const [, plan] = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::Backup::BackupPlan')!;
    const [rule] = (plan.Properties.BackupPlan as { BackupPlanRule: Record<string, unknown>[] })
      .BackupPlanRule;
    expect(rule).toMatchObject({
      Lifecycle: { DeleteAfterDays: 35 },
      CopyActions: [expect.objectContaining({ Lifecycle: { DeleteAfterDays: 35 } })],
    });
    const exportsRule = (resource: Resource) =>
      (resource.Properties.LifecycleConfiguration as { Rules: { Id: string }[] }).Rules.find(
        (r) => r.Id === 'user-pool-exports',
      );
    const copyResources = Template.fromStack(otherRecovery).toJSON().Resources as Record<string, Resource>;
    for (const bucket of [
      json.Resources[idOf(other, other.userPoolExport.bucket)]!,
      copyResources[idOf(otherRecovery, otherRecovery.userPoolExportsCopy)]!,
    ])
      expect(exportsRule(bucket)).toMatchObject({ ExpirationInDays: 35, Prefix: 'user-pool-exports/' });
  });
});

describe('the user-pool export', () => {
  it('runs weekly and lands in a versioned bucket replicated to the secondary region', () => {
    const { bucket, schedule, exporter } = stack.userPoolExport;
    const bucketId = idOf(stack, bucket);
    const name = recoveryNames('dev', '').userPoolExportsBucket;
    expect(resources[stack.getLogicalId(schedule.node.defaultChild as never)]!.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 5 ? * SAT *)',
      State: 'ENABLED',
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(exporter.node.defaultChild as never), 'Arn'] },
        }),
      ],
    });
    expect(resources[bucketId]!.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expectReplicationPolicy(replicationOf(bucketId, name), bucketId, name);
    // Exports expire with the backups; a replaced export's version a day later; nothing lingers.
    const rules = (resources[bucketId]!.Properties.LifecycleConfiguration as { Rules: unknown[] }).Rules;
    expect(rules).toEqual([
      {
        Id: 'user-pool-exports',
        Status: 'Enabled',
        Prefix: 'user-pool-exports/',
        ExpirationInDays: 90,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
      { Id: 'delete-markers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
      {
        Id: 'unfinished-uploads',
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    const copy = recoveryResources[idOf(recovery, recovery.userPoolExportsCopy)]!;
    expect(copy.Properties.LifecycleConfiguration).toEqual({ Rules: rules });
  });
});

describe('failing over to the secondary region', () => {
  const replicaStreamArn =
    'arn:aws:dynamodb:us-east-1:123456789012:table/plaza-dev/stream/2026-12-07T04:00:00.000';
  let failover: PlazaStack;
  let failoverResources: Record<string, Resource>;

  beforeAll(() => {
    const synthesized = synthesize({ failover: true, replicaStreamArn });
    failover = synthesized.stack;
    failoverResources = resourcesOf(synthesized.template);
    expect(synthesized.recovery).toBeUndefined();
  });

  it('deploys the app alone in us-east-1, named apart from the lost stack (CloudFront names are global)', () => {
    expect(failover.region).toBe('us-east-1');
    expect(failover.stackName).toBe('Plaza-dev-failover');
    const names = Object.values(failoverResources)
      .filter((r) => r.Type.startsWith('AWS::CloudFront::') && r.Type !== 'AWS::CloudFront::Distribution')
      .map((r) => JSON.stringify(r.Properties));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/Plazadevfailover/);
  });

  it("uses the table's replica in place, its consumers reading the replica's stream", () => {
    // No table of its own: the replica belongs to the global table's resource in the lost region.
    expect(ofType('AWS::DynamoDB::GlobalTable', failoverResources)).toEqual([]);
    expect(ofType('AWS::DynamoDB::Table', failoverResources)).toEqual([]);
    const mappings = ofType('AWS::Lambda::EventSourceMapping', failoverResources);
    expect(mappings.map(([, r]) => r.Properties.EventSourceArn)).toEqual([
      replicaStreamArn,
      replicaStreamArn,
    ]);
    // Grants reach the replica's items and indexes, in this region.
    const resolver =
      failoverResources[failover.getLogicalId(failover.api.resolverFunction.node.defaultChild as never)]!;
    expect(
      (resolver.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PLAZA_TABLE,
    ).toBe('plaza-dev');
    const grants = JSON.stringify(ofType('AWS::IAM::Policy', failoverResources));
    expect(grants).toContain(':dynamodb:us-east-1:');
    expect(grants).toContain(':table/plaza-dev/index/');
    // Nothing to replicate to, so no replication alarms.
    const alarmNames = JSON.stringify(ofType('AWS::CloudWatch::Alarm', failoverResources));
    expect(alarmNames).not.toMatch(/ReplicaLag|ReplicationFailures/);
    // Weekly backups go on, with nowhere to copy them.
    const [, plan] = ofType('AWS::Backup::BackupPlan', failoverResources)[0]!;
    const [weekly] = (plan.Properties.BackupPlan as { BackupPlanRule: Record<string, unknown>[] })
      .BackupPlanRule;
    expect(weekly).toMatchObject({
      ScheduleExpression: 'cron(0 5 ? * SAT *)',
      Lifecycle: { DeleteAfterDays: 90 },
    });
    expect(weekly!.CopyActions ?? []).toEqual([]);
  });

  it("serves and stores media in the media's copy, replicating nothing", () => {
    const copy = named(recoveryNames('dev', '').mediaBucket);
    const buckets = ofType('AWS::S3::Bucket', failoverResources);
    // The audit log's and the user-pool exports' buckets are new; no media bucket is.
    expect(buckets).toHaveLength(2);
    for (const [, bucket] of buckets) expect(bucket.Properties.ReplicationConfiguration).toBeUndefined();
    const pipeline =
      failoverResources[failover.getLogicalId(failover.media.pipeline.node.defaultChild as never)]!;
    expect(
      (pipeline.Properties.Environment as { Variables: Record<string, unknown> }).Variables.S3_BUCKET,
    ).toEqual(copy);
    const [, distribution] = ofType('AWS::CloudFront::Distribution', failoverResources)[0]!;
    expect(JSON.stringify(distribution.Properties)).toContain(recoveryNames('dev', '').mediaBucket);
    // Uploads still run the pipelines: notifications on the copy.
    expect(ofType('Custom::S3BucketNotifications', failoverResources)).toHaveLength(1);
    // CDK's warning that it cannot grant CloudFront on an imported bucket is answered by the recovery stack.
    expect(
      Annotations.fromStack(failover).findWarning('*', Match.stringLikeRegexp('imported bucket')),
    ).toEqual([]);
  });

  it("has the user migration: the exports' copy read, users made in the new pool and linked in the replica", () => {
    expect(stack.userPoolExport.migrator).toBeUndefined();
    const migrator = failover.userPoolExport.migrator!;
    const id = failover.getLogicalId(migrator.node.defaultChild as never);
    const variables = (
      failoverResources[id]!.Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables).toMatchObject({
      S3_BUCKET: named(recoveryNames('dev', '').userPoolExportsBucket),
      PLAZA_DB: 'dynamodb',
      COGNITO_USER_POOL_ID: {
        Ref: failover.getLogicalId(failover.identity.userPool.node.defaultChild as never),
      },
    });
    const role = (failoverResources[id]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const statements = ofType('AWS::IAM::Policy', failoverResources)
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminSetUserPassword',
        's3:GetObject',
        'dynamodb:PutItem',
        'dynamodb:GetItem',
      ]),
    );
    // Never deletes users, never writes the exports.
    expect(actions.filter((action) => /Delete|s3:Put/.test(action))).toEqual([]);
    const read = statements.find((statement) => statement.Action === 's3:GetObject')!;
    expect(JSON.stringify(read.Resource)).toContain('user-pool-exports/*');
  });

  it('is ready in the recovery stack: CORS for uploads and CloudFront reads on the copy', () => {
    const copyId = idOf(recovery, recovery.mediaCopy);
    expect(recoveryResources[copyId]!.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ['PUT', 'POST'],
          AllowedOrigins: ['*'],
          AllowedHeaders: ['*'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3000,
        },
      ],
    });
    const [, policy] = ofType('AWS::S3::BucketPolicy', recoveryResources).find(
      ([, r]) => JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: copyId }),
    )!;
    expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [copyId, 'Arn'] }, '/*']] },
      Condition: {
        StringLike: {
          'AWS:SourceArn': {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', account, ':distribution/*'],
            ],
          },
        },
      },
    });
  });

  it("refuses to fail over without the replica's stream, saying where to find it", () => {
    expect(() => synthesize({ failover: true })).toThrow(
      /replicaStreamArn.*describe-table --region us-east-1/,
    );
    const elsewhere = replicaStreamArn.replace('us-east-1', 'us-west-1');
    expect(() => synthesize({ failover: true, replicaStreamArn: elsewhere })).toThrow(/replicaStreamArn/);
    expect(() => synthesize({ failover: 'yes' })).toThrow(/failover must be true or false/);
  });
});
