/**
 * The Lambda bundles as `npm run synth` makes them: synth time, bundle sizes,
 * and each bundle run as the Lambda runtime runs it (a fresh Node process
 * importing index.mjs) against DynamoDB Local, next to a bare reference in the
 * same run: a handler that only does the one GetItem with the AWS SDK,
 * bundled with the same esbuild settings.
 *
 * - Cold start: import plus the first invocation (getUser through the AppSync
 *   resolver; the bare one a GetItem of the same profile). Median of 5 processes.
 * - Warm: the mean of 200 further invocations in the same process.
 *
 * Node's own start-up (~40 ms) and Lambda's sandbox start are outside both.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { provisionDynamoDbTables } from '../src/adapters/dynamodb/dynamodb-stores.ts';
import { mainTable } from '../src/ports/item-store/table.ts';
import { localCredentials, startDynamoDbLocal } from '../test/support/dynamodb-local.ts';
import { bundleFinder, lambdaEnvironment, postConfirmationEvent } from '../test/infra/bundles.ts';
import { synthesize } from '../test/infra/synth.ts';
import { median } from './harness.ts';

const run = promisify(execFile);

const bareHandler = `
  import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
  const client = new DynamoDBClient({ region: process.env.AWS_REGION, endpoint: process.env.DYNAMODB_ENDPOINT });
  export async function handler(event) {
    const { Item } = await client.send(new GetItemCommand({
      TableName: process.env.PLAZA_TABLE,
      Key: { PK: { S: 'USER#' + event.arguments.id }, SK: { S: 'PROFILE' } },
    }));
    return Item ? { id: Item.id.S, email: Item.email?.S ?? null } : null;
  }
`;

const childScript = `
  const started = performance.now();
  const { handler } = await import(process.env.BUNDLE);
  const imported = performance.now();
  const event = JSON.parse(process.env.EVENT);
  const first = await handler(event);
  const cold = performance.now() - started;
  const warmStart = performance.now();
  for (let i = 0; i < 200; i++) await handler(event);
  const warm = (performance.now() - warmStart) / 200;
  console.log(JSON.stringify({ importMs: imported - started, cold, warm, first }));
`;

interface Sample {
  importMs: number;
  cold: number;
  warm: number;
  first: unknown;
}

async function sample(bundle: string, event: unknown, env: Record<string, string>): Promise<Sample> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', childScript], {
    cwd: bundle,
    env: { PATH: process.env.PATH, ...env, BUNDLE: join(bundle, 'index.mjs'), EVENT: JSON.stringify(event) },
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Sample;
}

const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;

function dirSize(path: string): number {
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

export async function lambdaBenchmark(): Promise<void> {
  const dynamodb = await startDynamoDbLocal();
  const work = mkdtempSync(join(tmpdir(), 'plaza-lambda-bench-'));
  try {
    const synthStarted = performance.now();
    const { stack, outdir } = synthesize({}, { bundle: true, outdir: join(work, 'cdk.out') });
    const synthSeconds = (performance.now() - synthStarted) / 1000;
    const bundleOf = bundleFinder(stack, outdir);

    const bare = join(work, 'bare');
    await build({
      stdin: { contents: bareHandler, resolveDir: process.cwd(), loader: 'js' },
      outfile: join(bare, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      mainFields: ['module', 'main'],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });

    const sizes = Object.entries({
      'GraphQL resolver': stack.api.resolverFunction,
      'feed fan-out': stack.feed.fanOut,
      'post confirmation': stack.identity.postConfirmation,
      'media pipeline': stack.media.pipeline,
    }).map(([name, fn]) => ({
      function: name,
      'index.mjs': kb(statSync(join(bundleOf(fn), 'index.mjs')).size),
      'whole package': kb(dirSize(bundleOf(fn))),
    }));
    sizes.push({
      function: 'bare GetItem handler',
      'index.mjs': kb(statSync(join(bare, 'index.mjs')).size),
      'whole package': kb(dirSize(bare)),
    });
    console.log(`\nLambda bundles (cdk synth with bundling: ${synthSeconds.toFixed(1)} s)`);
    console.table(sizes);

    const table = `bench-${Date.now().toString(36)}`;
    await provisionDynamoDbTables(
      { endpoint: dynamodb.endpoint, region: 'us-west-1', credentials: localCredentials },
      [mainTable(table)],
    );
    const env = lambdaEnvironment({
      table,
      endpoint: dynamodb.endpoint,
      dataDir: join(work, 'data'),
      bucket: 'plaza-bench-media',
    });
    const sub = randomUUID();
    const confirmation = postConfirmationEvent(sub);
    await sample(bundleOf(stack.identity.postConfirmation), confirmation, env);

    const recorded = JSON.parse(readFileSync('test/lambda/events/appsync-create-post.json', 'utf8'));
    const getUser = {
      ...recorded,
      identity: { ...recorded.identity, sub, username: sub, claims: { ...recorded.identity.claims, sub } },
      arguments: { id: sub },
      info: {
        ...recorded.info,
        parentTypeName: 'Query',
        fieldName: 'getUser',
        selectionSetGraphQL: '{ id email }',
      },
    };
    const plaza: Sample[] = [];
    const reference: Sample[] = [];
    for (let i = 0; i < 5; i++) {
      plaza.push(await sample(bundleOf(stack.api.resolverFunction), getUser, env));
      reference.push(await sample(bare, getUser, env));
    }
    if (JSON.stringify(plaza[0]!.first) !== JSON.stringify(reference[0]!.first)) {
      throw new Error(
        `The handlers disagree: ${JSON.stringify(plaza[0]!.first)} ${JSON.stringify(reference[0]!.first)}`,
      );
    }
    const row = (name: string, pick: (s: Sample) => number, goal: number) => {
      const ours = median(plaza.map(pick));
      const theirs = median(reference.map(pick));
      return {
        measure: name,
        'plaza ms': ours.toFixed(1),
        'bare ms': theirs.toFixed(1),
        ratio: `${(ours / theirs).toFixed(2)}×`,
        goal: `≤ ${goal}×`,
        met: ours / theirs <= goal ? 'yes' : 'NO',
      };
    };
    console.log('\nGraphQL resolver Lambda (getUser) against a bare GetItem handler, DynamoDB Local');
    console.table([
      row('import of the bundle', (s) => s.importMs, 4),
      row('cold start (import + first call)', (s) => s.cold, 3),
      row('warm invocation', (s) => s.warm, 2),
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await dynamodb.stop();
  }
}
