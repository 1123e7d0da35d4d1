import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-ops-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = {
  name: 'FeedErrors',
  metric: 'plaza_errors_total',
  denominator: 'plaza_requests_total',
  labels: { operation: 'homeFeed' },
  statistic: 'Sum',
  threshold: 5,
  comparison: 'GreaterThanThreshold',
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
};

function withFile(content: unknown) {
  writeFileSync(join(dir, 'plaza.config.json'), JSON.stringify(content));
  return () => loadConfig({}, dir);
}

describe('operations settings in plaza.config.json', () => {
  it('reads alarm rules, the webhook and price overrides', () => {
    const config = withFile({
      alarms: { rules: [rule], webhookUrl: 'http://127.0.0.1:9000/hook', evaluationSeconds: 5 },
      cost: { prices: { cognitoPerMau: 0.005 }, usageSnapshotSeconds: 30 },
    })();
    expect(config.operations).toEqual({
      alarmRules: [{ ...rule, treatMissingData: 'missing' }],
      alarmWebhookUrl: 'http://127.0.0.1:9000/hook',
      alarmEvaluationMs: 5000,
      prices: { cognitoPerMau: 0.005 },
      usageSnapshotMs: 30_000,
    });
    expect(
      loadConfig({ PLAZA_ALARM_WEBHOOK_URL: 'http://127.0.0.1:1/x' }, dir).operations.alarmWebhookUrl,
    ).toBe('http://127.0.0.1:1/x');
  });

  it('leaves the default rules in place when none are given', () => {
    expect(withFile({})().operations.alarmRules).toBeUndefined();
  });

  it('refuses malformed rules and prices, naming the problem', () => {
    expect(withFile({ alarms: { rules: [{ ...rule, periodSeconds: 45 }] } })).toThrow(
      /alarms.rules.0.periodSeconds: CloudWatch periods/,
    );
    expect(withFile({ alarms: { rules: [{ ...rule, comparison: 'Above' }] } })).toThrow(
      /alarms.rules.0.comparison/,
    );
    expect(withFile({ alarms: { rules: [{ ...rule, datapointsToAlarm: 4 }] } })).toThrow(
      /datapointsToAlarm cannot exceed evaluationPeriods/,
    );
    expect(withFile({ alarms: { rules: [rule, rule] } })).toThrow(/alarm names must be unique/);
    expect(withFile({ cost: { prices: { cognitoPerMAU: 1 } } })).toThrow(/cost.prices/);
  });
});
