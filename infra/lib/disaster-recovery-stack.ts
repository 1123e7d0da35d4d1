/**
 * What the secondary region keeps for a stage (`Plaza-<stage>-recovery`, disaster-recovery.ts): the
 * copies of the media and of the user-pool exports, and the vault the weekly backups are copied to.
 * The table's replica is not here: a global table's replicas belong to the table's own resource.
 *
 * Deployed before the main stack (S3 refuses a replication rule whose destination is missing or
 * unversioned), and kept when the main stack, or its region, goes: everything here is retained.
 */
import { Aws, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BackupVault } from 'aws-cdk-lib/aws-backup';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { recoveryNames } from './disaster-recovery.ts';
import { mediaCors, mediaLifecycleRules } from './media.ts';
import type { PlazaSettings } from './settings.ts';
import { userPoolExportLifecycleRules } from './user-pool-export.ts';

export class PlazaRecoveryStack extends Stack {
  readonly mediaCopy: Bucket;
  readonly userPoolExportsCopy: Bucket;
  readonly vault: BackupVault;

  constructor(scope: Construct, id: string, props: StackProps & { settings: PlazaSettings }) {
    const { settings } = props;
    super(scope, id, {
      ...props,
      description: `Plaza (${settings.stage}): the secondary region's copies of media, user-pool exports and backups`,
      terminationProtection: settings.stage === 'prod',
    });
    Tags.of(this).add('project', 'plaza');
    Tags.of(this).add('stage', settings.stage);
    const names = recoveryNames(settings.stage);

    const copy = (id: string, bucketName: string, lifecycleRules: LifecycleRule[]) =>
      new Bucket(this, id, {
        bucketName,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        // Replicas belong to this bucket's owner, whoever wrote the original.
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        // Replication writes versions, and only into a versioned bucket.
        versioned: true,
        lifecycleRules,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.mediaCopy = copy('MediaCopy', names.mediaBucket, mediaLifecycleRules(settings));
    // Ready to serve when failing over: the web app's presigned uploads, and CloudFront's reads
    // through origin access control. The failover stack's distribution does not exist yet, so the
    // grant names this account's distributions rather than one.
    for (const rule of mediaCors(settings)) this.mediaCopy.addCorsRule(rule);
    this.mediaCopy.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.mediaCopy.arnForObjects('*')],
        conditions: {
          StringLike: {
            'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*`,
          },
        },
      }),
    );
    this.userPoolExportsCopy = copy(
      'UserPoolExportsCopy',
      names.userPoolExportsBucket,
      userPoolExportLifecycleRules(settings.disasterRecovery),
    );
    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: names.backupVault,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
