/**
 * The audit log on AWS (ADR 0010): an S3 bucket with Object Lock in compliance mode, so no entry
 * can be overwritten or deleted before its retention ends, not even by the account's root. The
 * feed fan-out's Lambda writes it (the table's stream allows two Lambda readers per shard, and the
 * data lifecycle's is the other); it may read and add objects under `audit/`, nothing more.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** How long each entry is locked: beyond a year, for a yearly audit of the year before. */
export const auditRetentionDays = 400;
export const auditPrefix = 'audit/';

export class PlazaAuditLog extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: { writer: NodejsFunction }) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(auditRetentionDays)),
      // Locked objects outlive the stack anyway; the bucket stays with them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    props.writer.addEnvironment('PLAZA_AUDIT_BUCKET', this.bucket.bucketName);
    props.writer.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects(`${auditPrefix}*`)],
      }),
    );
    // Finding the chain's head lists the entries; without it S3 answers a missing hint with 403.
    props.writer.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
  }
}
