import { describe, expect, it } from 'vitest';
import { costReport, formatCostReport, projectMonth, type MeasuredUsage } from './cost.ts';

const GB = 1024 ** 3;

/** One hour measured: a month is 730 of them. */
const measured: MeasuredUsage = {
  version: 1,
  since: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T01:00:00.000Z',
  measuredSeconds: 3600,
  totals: {
    readUnits: 1_000_000,
    writeUnits: 200_000,
    apiRequests: 500_000,
    realtimeMinutes: 60_000,
    s3Requests: 10_000,
    cdnRequests: 100_000,
    cdnBytes: 10 * GB,
  },
};
const holdings = { users: 80_000, tableBytes: 2 * GB, objectBytes: 100 * GB };

const costs = (report: ReturnType<typeof costReport>) =>
  Object.fromEntries(
    report.lines.map((line) => [`${line.service} ${line.item}`, Number(line.cost.toFixed(4))]),
  );

describe('the cost report', () => {
  it("prices a month of the measured usage with the design's table (checked by hand)", () => {
    const report = costReport({ measured, holdings });
    expect(costs(report)).toEqual({
      'Cognito active users beyond the free tier': 165, // (80,000 − 50,000 free) × $0.0055
      'DynamoDB read request units': 182.5, // 730 M × $0.25
      'DynamoDB write request units': 182.5, // 146 M × $1.25
      'DynamoDB storage': 0.5, // 2 GB × $0.25
      'AppSync queries and mutations': 1460, // 365 M × $4.00
      'AppSync real-time connection minutes': 87.6, // 43.8 M × $2.00
      'S3 storage': 2.3, // 100 GB × $0.023
      'S3 requests': 2.92, // 7,300 thousand × $0.0004
      'CloudFront data transfer out': 620.5, // 7,300 GB × $0.085
      'CloudFront requests': 54.75, // 7,300 × 10,000 × $0.0075
    });
    expect(report.total).toBeCloseTo(2758.57, 6);
  });

  it('projects to a number of monthly active users, per user', () => {
    const report = costReport({ measured, holdings, projection: { mau: 160_000 } });
    expect(report.projection.factor).toBe(2);
    expect(report.month.mau).toBe(160_000);
    expect(costs(report)['Cognito active users beyond the free tier']).toBe(605); // 110,000 × $0.0055
    expect(report.total).toBeCloseTo(605 + 2 * (2758.57 - 165), 6);
  });

  it('scales every quantity, users included (below the free tier, Cognito costs nothing)', () => {
    const report = costReport({ measured, holdings, projection: { scale: 0.5 } });
    expect(report.month.mau).toBe(40_000);
    expect(costs(report)['Cognito active users beyond the free tier']).toBe(0);
    expect(report.total).toBeCloseTo(0.5 * (2758.57 - 165), 6);
  });

  it('takes price overrides', () => {
    const report = costReport({ measured, holdings, prices: { cognitoPerMau: 0.01, cognitoFreeMau: 0 } });
    expect(costs(report)['Cognito active users beyond the free tier']).toBe(800);
  });

  it('prices only what is held when nothing was measured, and says so', () => {
    const report = costReport({ measured: undefined, holdings });
    expect(report.total).toBeCloseTo(165 + 0.5 + 2.3, 6);
    expect(report.notes.join(' ')).toMatch(/Nothing measured yet/);
  });

  it('refuses projections it cannot make', () => {
    expect(() => projectMonth(measured, holdings, { mau: 10, scale: 2 })).toThrow(/not both/);
    expect(() => projectMonth(measured, holdings, { scale: 0 })).toThrow(/positive/);
    expect(() => projectMonth(measured, holdings, { mau: 1.5 })).toThrow(/whole number/);
    expect(() => projectMonth(measured, { ...holdings, users: 0 }, { mau: 100 })).toThrow(/No users/);
  });

  it('prints an aligned table', () => {
    const text = formatCostReport(costReport({ measured, holdings }));
    const table = text
      .split('\n')
      .filter((line) => /^(Cognito|DynamoDB|AppSync|S3|CloudFront|Total) /.test(line));
    expect(table).toHaveLength(11);
    // Every figure ends in the same column.
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    expect(text).toContain('$1,460.00');
    expect(text).toMatch(/Total\s+\$2,758\.57$/m);
    expect(text).toContain('from 60.0 min measured since 2026-01-01T00:00:00.000Z');
  });
});
