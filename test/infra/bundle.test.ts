/**
 * The stack synthesized as `npm run synth` does it, esbuild bundling each Lambda
 * from the sources (only CDK's own template lint is left out). The bundles are then run
 * as Lambda runs them (node importing index.mjs, schema file beside it), in a
 * fresh process against DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { repoRoot } from '../../infra/lib/settings.ts';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { createApp } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { localCredentials } from '../support/dynamodb-local.ts';
import { s3rverCredentials, startS3rver } from '../support/s3rver.ts';
import { bundleFinder, exportRequestedRecord, lambdaEnvironment, postConfirmationEvent } from './bundles.ts';
import { synthesize } from './synth.ts';

const run = promisify(execFile);
let stack: PlazaStack;
let outdir: string;
let bundleOf: (fn: NodejsFunction) => string;

/** Imports a bundle in a new Node process, as the Lambda runtime does, and invokes it once per event. */
async function invoke(bundle: string, events: unknown[], env: Record<string, string>) {
  const script = `
    const started = performance.now();
    const { handler } = await import(process.env.BUNDLE);
    const imported = performance.now();
    const results = [];
    for (const event of JSON.parse(process.env.EVENTS)) results.push(await handler(event));
    console.log(JSON.stringify({ results, importMs: imported - started, firstMs: performance.now() - imported }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: bundle,
    env: {
      PATH: process.env.PATH,
      ...env,
      BUNDLE: join(bundle, 'index.mjs'),
      EVENTS: JSON.stringify(events),
    },
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as { results: unknown[]; importMs: number };
}

beforeAll(() => {
  ({ stack, outdir } = synthesize({}, { bundle: true }));
  bundleOf = bundleFinder(stack, outdir);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The environment the stack gives a function: its literal values (CloudFormation fills in the rest). */
function propertiesEnvironment(fn: NodejsFunction): Record<string, string> {
  const resources = JSON.parse(readFileSync(join(outdir, `${stack.stackName}.template.json`), 'utf8'))
    .Resources as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
  const variables =
    resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties.Environment.Variables;
  return Object.fromEntries(
    Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

describe('the bundled Lambdas', () => {
  it('are ES modules of a few hundred kilobytes, the resolver with its schema file', () => {
    for (const fn of [
      stack.api.resolverFunction,
      stack.feed.fanOut,
      stack.identity.postConfirmation,
      stack.lifecycle.consumer,
      stack.userPoolExport.exporter,
    ]) {
      const bundle = bundleOf(fn);
      const size = statSync(join(bundle, 'index.mjs')).size;
      expect(size).toBeGreaterThan(100_000);
      // Far under Lambda's 50 MB; big bundles are slow cold starts.
      expect(size).toBeLessThan(3_000_000);
    }
    expect(readFileSync(join(bundleOf(stack.api.resolverFunction), 'schema.graphql'), 'utf8')).toBe(
      readFileSync(new URL('../../src/edge/graphql/schema.graphql', import.meta.url), 'utf8'),
    );
    // Nothing native or server-side came along.
    const resolver = readFileSync(join(bundleOf(stack.api.resolverFunction), 'index.mjs'), 'utf8');
    for (const absent of ['better-sqlite3', 'argon2', 'fastify', 'sharp'])
      expect(resolver).not.toContain(absent);
  });

  it('load the data lifecycle’s two consumers, in one bundle, with the environment the stack gives it', async () => {
    const table = `bundle-lifecycle-${Date.now().toString(36)}`;
    const endpoint = inject('dynamodbEndpoint');
    await provisionDynamoDbTables({ endpoint, region: 'us-west-1', credentials: localCredentials }, [
      mainTable(table),
    ]);
    const env = (tableName: string) => ({
      ...lambdaEnvironment({
        table: tableName,
        endpoint,
        dataDir: join(outdir, 'data'),
        bucket: 'plaza-bundle-media',
      }),
      PLAZA_CDN_DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
      PLAZA_APPSYNC_API_ID: 'xlvmnh3lyvfufhsh7ssjhkp5im',
    });
    const bundle = bundleOf(stack.lifecycle.consumer);
    // A batch the filters let nothing into: the handler builds both consumers' services and
    // answers, calling nothing. Then an export asked for and gone since: erasure passes it by, and
    // the export's builder looks for its item in the table, finds none and does nothing.
    const gone = exportRequestedRecord(randomUUID(), '01KDHZ8Q0000000000000000EX');
    expect((await invoke(bundle, [{ Records: [] }, { Records: [gone] }], env(table))).results).toEqual([
      { batchItemFailures: [] },
      { batchItemFailures: [] },
    ]);
    // The builder did reach for the table: without one, the record fails, and only it.
    expect((await invoke(bundle, [{ Records: [gone] }], env(`${table}-missing`))).results).toEqual([
      { batchItemFailures: [{ itemIdentifier: gone.dynamodb!.SequenceNumber }] },
    ]);
    const code = readFileSync(join(bundle, 'index.mjs'), 'utf8');
    for (const absent of ['better-sqlite3', 'argon2', 'fastify', 'sharp']) expect(code).not.toContain(absent);
    // Both consumers, and the batch's API cache flush.
    for (const present of ['account erased', 'data export built', 'FlushApiCache'])
      expect(code).toContain(present);
  });

  it('carry sharp for Lambda’s platform beside the image pipeline, and load it', async () => {
    const bundle = bundleOf(stack.media.pipeline);
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(bundle, 'node_modules', name, 'package.json'), 'utf8'));
    expect(installed('sharp').version).toBe(
      JSON.parse(readFileSync(join(repoRoot, 'node_modules/sharp/package.json'), 'utf8')).version,
    );
    expect(installed('@img/sharp-linux-x64').os).toEqual(['linux']);
    expect(existsSync(join(bundle, 'node_modules/@img/sharp-darwin-arm64'))).toBe(false);
    expect(readFileSync(join(bundle, 'index.mjs'), 'utf8')).not.toContain('libvips');
    const loaded = await invoke(bundle, [], { PATH: '' });
    expect(loaded.results).toEqual([]);
  });

  it('export the user pool with the environment the stack gives, Plaza’s pool in Cognito’s place and s3rver in S3’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-bundle-users-export-'));
    const bucket = 'plaza-bundle-user-pool-exports';
    const s3 = await startS3rver(bucket);
    // One key pair signs both services' requests, as the function's role does on AWS.
    const app = await createApp(
      loadConfig(
        {
          DATA_DIR: dir,
          PORT: '0',
          PLAZA_ADMIN_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
          PLAZA_ADMIN_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
        },
        dir,
      ),
      { logger: createLogger({ level: 'silent' }) },
    );
    try {
      const url = await app.listen();
      const UserPoolId = app.identity.pool!.userPoolId;
      const cognito = new CognitoIdentityProviderClient({
        endpoint: url,
        region: 'us-west-1',
        credentials: s3rverCredentials,
      });
      for (const email of ['ada@example.com', 'lin@example.com'])
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: email,
            MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name: 'email', Value: email }],
          }),
        );
      const stackEnv = propertiesEnvironment(stack.userPoolExport.exporter);
      const exported = await invoke(bundleOf(stack.userPoolExport.exporter), [{ source: 'aws.events' }], {
        ...stackEnv,
        COGNITO_USER_POOL_ID: UserPoolId,
        S3_BUCKET: bucket,
        S3_ENDPOINT: s3.endpoint,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: url,
        AWS_REGION: 'us-west-1',
        AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
        DATA_DIR: join(dir, 'lambda'),
        LOG_LEVEL: 'silent',
      });
      const [result] = exported.results as { key: string; users: number }[];
      expect(result).toMatchObject({
        key: expect.stringMatching(/^user-pool-exports\/\d{4}-\d{2}-\d{2}\.csv$/),
        users: 2,
      });
      const client = new S3Client({
        endpoint: s3.endpoint,
        forcePathStyle: true,
        region: 'us-west-1',
        credentials: s3rverCredentials,
      });
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: result!.key }));
      const csv = await object.Body!.transformToString();
      client.destroy();
      expect(csv.split('\r\n')[0]).toMatch(/^name,given_name,.*,cognito:mfa_enabled,cognito:username$/);
      expect(csv).toContain(',ada@example.com,');
      expect(csv).toContain(',lin@example.com,');
      const code = readFileSync(join(bundleOf(stack.userPoolExport.exporter), 'index.mjs'), 'utf8');
      for (const absent of ['better-sqlite3', 'argon2', 'fastify', 'sharp'])
        expect(code).not.toContain(absent);
    } finally {
      await app.close();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run as Lambda runs them, against DynamoDB Local', async () => {
    const table = `bundle-${Date.now().toString(36)}`;
    const endpoint = inject('dynamodbEndpoint');
    await provisionDynamoDbTables({ endpoint, region: 'us-west-1', credentials: localCredentials }, [
      mainTable(table),
    ]);
    const env = lambdaEnvironment({
      table,
      endpoint,
      dataDir: join(outdir, 'data'),
      bucket: 'plaza-bundle-media',
    });
    const sub = randomUUID();
    const confirmation = postConfirmationEvent(sub);
    const created = await invoke(bundleOf(stack.identity.postConfirmation), [confirmation], env);
    expect(created.results).toEqual([confirmation]);

    const recorded = JSON.parse(
      readFileSync(new URL('../lambda/events/appsync-create-post.json', import.meta.url), 'utf8'),
    );
    const identity = {
      ...recorded.identity,
      sub,
      username: sub,
      claims: { ...recorded.identity.claims, sub },
    };
    const read = {
      ...recorded,
      identity,
      arguments: { id: sub },
      info: {
        ...recorded.info,
        parentTypeName: 'Query',
        fieldName: 'getUser',
        selectionSetGraphQL: '{ id email }',
      },
    };
    const resolved = await invoke(
      bundleOf(stack.api.resolverFunction),
      [{ ...recorded, identity }, read],
      env,
    );
    expect(resolved.results).toEqual([
      expect.objectContaining({
        authorId: sub,
        description: 'Hello from Lambda',
        author: { id: sub, postCount: 1 },
      }),
      { id: sub, email: 'alice@example.com' },
    ]);
  });
});
