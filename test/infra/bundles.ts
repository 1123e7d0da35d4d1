/**
 * The Lambda bundles `cdk synth` staged, and what they need to run outside AWS:
 * the environment the stack gives them, pointed at DynamoDB Local, a recorded
 * post-confirmation event, and a stream record from the recorded one. Shared
 * by the bundle test and the Lambda benchmark.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { localCredentials } from '../support/dynamodb-local.ts';

/** Finds each function's staged bundle directory (`asset.<hash>`) from the synthesized template. */
export function bundleFinder(stack: PlazaStack, outdir: string): (fn: NodejsFunction) => string {
  const resources = JSON.parse(readFileSync(join(outdir, `${stack.stackName}.template.json`), 'utf8'))
    .Resources as Record<string, { Properties: { Code: { S3Key: string } } }>;
  return (fn) => {
    const code = resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]!.Properties.Code;
    return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  };
}

/** The environment of a deployed function, with DynamoDB Local for the table and a bucket name for S3. */
export function lambdaEnvironment(options: {
  table: string;
  endpoint: string;
  dataDir: string;
  bucket: string;
}): Record<string, string> {
  return {
    PLAZA_DB: 'dynamodb',
    PLAZA_TABLE: options.table,
    DYNAMODB_ENDPOINT: options.endpoint,
    AWS_REGION: 'us-west-1',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    DATA_DIR: options.dataDir,
    PLAZA_STORAGE: 's3',
    S3_BUCKET: options.bucket,
    PLAZA_CDN_URL: 'https://media.example.com',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  };
}

/** Cognito's recorded post-confirmation event, for a new user. */
export function postConfirmationEvent(sub: string) {
  const event = JSON.parse(
    readFileSync(new URL('../lambda/events/cognito-post-confirmation.json', import.meta.url), 'utf8'),
  );
  event.userName = sub;
  event.request.userAttributes.sub = sub;
  return event;
}

/** The recorded stream record, made the INSERT of a data export's item (what the data lifecycle builds from). */
export function exportRequestedRecord(userId: string, exportId: string): DynamoDBRecord {
  const record = JSON.parse(
    readFileSync(new URL('../lambda/events/dynamodb-stream-record.json', import.meta.url), 'utf8'),
  ) as DynamoDBRecord;
  const keys = { PK: { S: `USER#${userId}` }, SK: { S: `EXPORT#${exportId}` } };
  record.dynamodb!.Keys = keys;
  record.dynamodb!.NewImage = {
    ...keys,
    id: { S: exportId },
    userId: { S: userId },
    status: { S: 'PENDING' },
    createdAt: { S: '2026-01-01T00:00:00.000Z' },
  };
  return record;
}
