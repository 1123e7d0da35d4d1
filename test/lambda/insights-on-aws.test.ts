/**
 * The audit log's identity events and the daily analytics on AWS (ADR 0010), as the stack wires
 * them, with DynamoDB Local and s3rver in place of AWS: Cognito's post-confirmation and
 * post-authentication triggers report sign-ups and sign-ins as audited items; the table's stream,
 * through the feed fan-out's filters, reaches its Lambda, which appends to the audit bucket and
 * counts the day in the table; `plaza stats` and `plaza audit` read both back from the deployment.
 */
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { feedFanOutFilterPatterns } from '../../infra/lib/feed-stream-filters.ts';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { openInsightsUpToDate } from '../../src/app/insights.ts';
import { dailyStats } from '../../src/domain/analytics/daily-stats.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { postConfirmationEvent } from '../infra/bundles.ts';
import { dynamoDbStreamReader } from '../support/dynamodb-stream-reader.ts';
import { eventFiltersPass } from '../support/event-filters.ts';
import { lambdaEnvironment } from '../support/lambda-environment.ts';
import { s3rverCredentials, startS3rver } from '../support/s3rver.ts';

const region = 'us-west-1';
const table = `insights-${Date.now().toString(36)}`;
const bucket = 'plaza-audit-test';
let s3: Awaited<ReturnType<typeof startS3rver>>;
let dataDir: string;
let readStream: Awaited<ReturnType<typeof dynamoDbStreamReader>>;

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  const settings = { endpoint, region, credentials: s3rverCredentials };
  await provisionDynamoDbTables(settings, [mainTable(table)]);
  s3 = await startS3rver(bucket);
  dataDir = mkdtempSync(join(tmpdir(), 'plaza-insights-'));
  // What the stack sets on the fan-out and the triggers, and what an operator's shell sets for the CLI.
  Object.assign(process.env, {
    ...lambdaEnvironment({
      table,
      dynamodbEndpoint: endpoint,
      bucket,
      s3Endpoint: s3.endpoint,
      region,
      credentials: s3rverCredentials,
      dataDir,
    }),
    PLAZA_AUDIT_BUCKET: bucket,
  });
  readStream = await dynamoDbStreamReader(settings, table);
});

afterAll(async () => {
  await s3?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function signIn(sub: string): PostAuthenticationTriggerEvent {
  const confirmation = postConfirmationEvent(sub);
  return {
    ...confirmation,
    triggerSource: 'PostAuthentication_Authentication',
    request: { userAttributes: confirmation.request.userAttributes, newDeviceUsed: false },
  };
}

describe('identity events and analytics on AWS', () => {
  const alice = randomUUID();

  it("counts Cognito's sign-ups and sign-ins and audits them, read back by plaza stats and plaza audit", async () => {
    const postConfirmation = await import('../../src/bin/lambda/post-confirmation.ts');
    const postAuthentication = await import('../../src/bin/lambda/post-authentication.ts');
    const fanOut = await import('../../src/bin/lambda/feed-fan-out.ts');
    await postConfirmation.handler(postConfirmationEvent(alice));
    const event = signIn(alice);
    expect(await postAuthentication.handler(event)).toEqual(event);
    await postAuthentication.handler(signIn(alice));

    // What Lambda's event filter passes to the fan-out.
    const written = await readStream();
    const records = written.filter((record) => eventFiltersPass(feedFanOutFilterPatterns, record));
    expect(records.map((record) => record.dynamodb?.Keys?.SK?.S?.replace(/#[^#]+$/, ''))).toEqual([
      'PROFILE',
      'IDEVENT#SignUp',
      'IDEVENT#SignIn',
      'IDEVENT#SignIn',
    ]);
    // The audited items are removed as soon as written: nothing of them stays in the table.
    const removed = written.filter(
      (record) => record.eventName === 'REMOVE' && record.dynamodb?.Keys?.SK?.S?.startsWith('IDEVENT#'),
    );
    expect(removed).toHaveLength(3);
    expect(await fanOut.handler({ Records: records })).toEqual({ batchItemFailures: [] });
    // A record redelivered (the invocation failed after it) is counted once.
    expect(await fanOut.handler({ Records: records.slice(-1) })).toEqual({ batchItemFailures: [] });
    // The analytics' own writes never reach the fan-out again.
    expect(
      (await readStream()).filter((record) => eventFiltersPass(feedFanOutFilterPatterns, record)),
    ).toEqual([]);

    const insights = await openInsightsUpToDate(loadConfig());
    try {
      const [today] = await dailyStats(1, { analytics: insights.analytics, now: Date.now() });
      expect(today).toMatchObject({ activeUsers: 1, signUps: 1, posts: 0 });
      const entries = [];
      for await (const entry of insights.audit.entries({ userId: alice })) entries.push(entry);
      expect(entries.map((entry) => [entry.action, entry.actor])).toEqual([
        ['SignUp', 'cognito:PostConfirmation_ConfirmSignUp'],
        ['SignIn', 'cognito:PostAuthentication_Authentication'],
        ['SignIn', 'cognito:PostAuthentication_Authentication'],
      ]);
    } finally {
      await insights.close();
    }
  });
});
