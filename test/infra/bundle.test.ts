/**
 * The stack synthesized as `npm run synth` does it, esbuild bundling each Lambda
 * from the sources (only CDK's own template lint is left out). The bundles are then run
 * as Lambda runs them (node importing index.mjs, schema file beside it), in a
 * fresh process against DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { repoRoot } from '../../infra/lib/settings.ts';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { localCredentials } from '../support/dynamodb-local.ts';
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

describe('the bundled Lambdas', () => {
  it('are ES modules of a few hundred kilobytes, the resolver with its schema file', () => {
    for (const fn of [
      stack.api.resolverFunction,
      stack.feed.fanOut,
      stack.identity.postConfirmation,
      stack.lifecycle.consumer,
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
