import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { cloudWatchMetricSource } from './cloudwatch-metric-source.ts';

describe('CloudWatch metric source', () => {
  it('reads every query in one GetMetricData across pages, each visible series over every period', async () => {
    const sent: GetMetricDataCommand[] = [];
    const start = Date.UTC(2026, 11, 7, 6, 0, 0);
    const at = (minutes: number) => new Date(start + minutes * 60_000);
    const pages = [
      {
        MetricDataResults: [{ Id: 'c0', Timestamps: [at(0)], Values: [12] }],
        NextToken: 'more',
      },
      {
        MetricDataResults: [
          { Id: 'c0', Timestamps: [at(2)], Values: [7] },
          { Id: 'c1', Timestamps: [at(1)], Values: [2.5] },
        ],
      },
    ];
    const client = {
      send: async (command: unknown) => {
        expect(command).toBeInstanceOf(GetMetricDataCommand);
        sent.push(command as GetMetricDataCommand);
        return pages.shift();
      },
    } as never;
    const source = cloudWatchMetricSource({ region: 'us-west-1', client });
    const metric = {
      namespace: 'AWS/AppSync',
      metricName: 'Requests',
      dimensions: { GraphQLAPIId: 'api1' },
      statistic: 'Sum',
    };
    const read = await source.read(
      [
        { id: 'c0', metric },
        { id: 'c1d0', metric, hidden: true },
        { id: 'c1', expression: '100 * c1d0 / c1d0' },
      ],
      { start, end: start + 3 * 60_000, periodSeconds: 60 },
    );
    expect(sent).toHaveLength(2);
    expect(sent[0]!.input).toEqual({
      MetricDataQueries: [
        {
          Id: 'c0',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/AppSync',
              MetricName: 'Requests',
              Dimensions: [{ Name: 'GraphQLAPIId', Value: 'api1' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        expect.objectContaining({ Id: 'c1d0', ReturnData: false }),
        { Id: 'c1', Expression: '100 * c1d0 / c1d0', Period: 60, ReturnData: true },
      ],
      StartTime: new Date(start),
      EndTime: new Date(start + 3 * 60_000),
      ScanBy: 'TimestampAscending',
    });
    expect(sent[1]!.input.NextToken).toBe('more');
    const times = [0, 1, 2].map((m) => at(m).getTime());
    expect(read).toEqual({
      c0: { times, values: [12, null, 7] },
      c1: { times, values: [null, 2.5, null] },
    });
  });
});
