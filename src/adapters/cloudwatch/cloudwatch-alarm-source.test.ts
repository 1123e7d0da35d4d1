import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { cloudWatchAlarmSource } from './cloudwatch-alarm-source.ts';

/** A stand-in for CloudWatchClient: answers DescribeAlarms pages in turn, recording each command. */
function fakeClient(pages: object[]) {
  const sent: DescribeAlarmsCommand[] = [];
  const client = {
    send: async (command: unknown) => {
      expect(command).toBeInstanceOf(DescribeAlarmsCommand);
      sent.push(command as DescribeAlarmsCommand);
      return pages.shift() ?? {};
    },
  } as never;
  return { sent, client };
}

describe('CloudWatch alarm source', () => {
  it('lists the stack’s metric alarms across pages, with their state and what they watch', async () => {
    const { sent, client } = fakeClient([
      {
        MetricAlarms: [
          {
            AlarmName: 'plaza-dev-HighLatency',
            AlarmDescription: 'p99 latency',
            StateValue: 'ALARM',
            StateReason: 'Threshold Crossed: 3 datapoints [812.0, 790.2, 905.1] were greater than 500.0',
            StateUpdatedTimestamp: new Date('2026-12-07T06:40:00Z'),
            Namespace: 'AWS/AppSync',
            MetricName: 'Latency',
            Dimensions: [{ Name: 'GraphQLAPIId', Value: 'api1' }],
            ExtendedStatistic: 'p99',
            Period: 60,
            Threshold: 500,
          },
        ],
        NextToken: 'page-2',
      },
      {
        MetricAlarms: [
          {
            AlarmName: 'plaza-dev-HighErrorRate',
            StateValue: 'OK',
            StateReason: 'Threshold Crossed: no datapoints were breaching',
            StateUpdatedTimestamp: new Date('2026-12-07T05:00:00Z'),
            Threshold: 1,
            Metrics: [
              { Id: 'expr_1', Expression: '100 * (m0) / (d0)', ReturnData: true },
              {
                Id: 'm0',
                ReturnData: false,
                MetricStat: {
                  Metric: { Namespace: 'AWS/AppSync', MetricName: '5XXError', Dimensions: [] },
                  Period: 300,
                  Stat: 'Sum',
                },
              },
              {
                Id: 'd0',
                ReturnData: false,
                MetricStat: {
                  Metric: { Namespace: 'AWS/AppSync', MetricName: 'Requests', Dimensions: [] },
                  Period: 300,
                  Stat: 'Sum',
                },
              },
            ],
          },
        ],
      },
    ]);
    const alarms = await cloudWatchAlarmSource({
      namePrefix: 'plaza-dev-',
      region: 'us-west-1',
      client,
    }).list();
    expect(sent.map((command) => command.input)).toEqual([
      { AlarmNamePrefix: 'plaza-dev-', AlarmTypes: ['MetricAlarm'], MaxRecords: 100 },
      { AlarmNamePrefix: 'plaza-dev-', AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: 'page-2' },
    ]);
    expect(alarms).toEqual([
      {
        name: 'plaza-dev-HighErrorRate',
        description: undefined,
        state: 'OK',
        reason: 'Threshold Crossed: no datapoints were breaching',
        stateChangedAt: '2026-12-07T05:00:00.000Z',
        threshold: 1,
        periodSeconds: 300,
        watches: {
          expression: '100 * (m0) / (d0)',
          metrics: {
            m0: { namespace: 'AWS/AppSync', metricName: '5XXError', dimensions: {}, statistic: 'Sum' },
            d0: { namespace: 'AWS/AppSync', metricName: 'Requests', dimensions: {}, statistic: 'Sum' },
          },
        },
      },
      {
        name: 'plaza-dev-HighLatency',
        description: 'p99 latency',
        state: 'ALARM',
        reason: 'Threshold Crossed: 3 datapoints [812.0, 790.2, 905.1] were greater than 500.0',
        stateChangedAt: '2026-12-07T06:40:00.000Z',
        threshold: 500,
        periodSeconds: 60,
        watches: {
          metric: {
            namespace: 'AWS/AppSync',
            metricName: 'Latency',
            dimensions: { GraphQLAPIId: 'api1' },
            statistic: 'p99',
          },
        },
      },
    ]);
  });

  it('passes CloudWatch’s errors on (the console answers them)', async () => {
    const client = {
      send: async () => {
        throw Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), {
          name: 'AccessDenied',
        });
      },
    } as never;
    await expect(
      cloudWatchAlarmSource({ namePrefix: 'plaza-dev-', region: 'us-west-1', client }).list(),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
