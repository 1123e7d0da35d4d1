/**
 * The projected monthly AWS bill: what the running system measured (capacity
 * units, API requests, real-time minutes, requests and bytes of media),
 * turned into a month's worth, plus what it holds (users, stored bytes),
 * priced with the design's table. Pure functions; `plaza cost` and
 * GET /admin/cost gather the inputs.
 */
import { PlazaError } from '../../platform/errors.ts';
import type { PriceName } from '../../platform/operations-settings.ts';

/** The design's price table (USD, us-west-1 on-demand), as in its cost management section. */
export const designPrices: Readonly<Record<PriceName, number>> = {
  cognitoFreeMau: 50_000,
  cognitoPerMau: 0.0055,
  dynamodbPerMillionReads: 0.25,
  dynamodbPerMillionWrites: 1.25,
  dynamodbPerGbMonth: 0.25,
  appsyncPerMillionQueries: 4.0,
  appsyncPerMillionRealtimeMinutes: 2.0,
  s3PerGbMonth: 0.023,
  s3PerThousandRequests: 0.0004,
  cloudfrontPerGb: 0.085,
  cloudfrontPerTenThousandRequests: 0.0075,
};

/** AWS bills a month as 730 hours. */
export const monthSeconds = 730 * 3600;

const GB = 1024 ** 3;

/** What the server counted, kept across restarts in DATA_DIR/usage.json. */
export interface MeasuredUsage {
  version: 1;
  /** When measuring began (ISO). */
  since: string;
  updatedAt: string;
  /** Seconds the server ran while measuring: the counts below happened in this time. */
  measuredSeconds: number;
  totals: UsageCounts;
}

export interface UsageCounts {
  readUnits: number;
  writeUnits: number;
  /** GraphQL queries and mutations (AppSync requests). */
  apiRequests: number;
  /** Minutes of subscription connections (AppSync real-time). */
  realtimeMinutes: number;
  /** Uploads and origin reads of media (S3 requests). */
  s3Requests: number;
  /** Media requests and the bytes they sent (CloudFront). */
  cdnRequests: number;
  cdnBytes: number;
}

export const noUsage: UsageCounts = {
  readUnits: 0,
  writeUnits: 0,
  apiRequests: 0,
  realtimeMinutes: 0,
  s3Requests: 0,
  cdnRequests: 0,
  cdnBytes: 0,
};

/** What the system holds now: levels, not rates. */
export interface Holdings {
  /** Users in the pool, each counted as active this month (an upper bound of Cognito's MAU). */
  users: number;
  tableBytes: number;
  objectBytes: number;
}

export interface MonthlyUsage extends UsageCounts {
  mau: number;
  tableBytes: number;
  objectBytes: number;
}

export interface Projection {
  /** Multiplies every quantity (a bigger audience with the same habits). */
  scale?: number;
  /** Projects to this many monthly active users: every quantity per user, times this. */
  mau?: number;
}

/** A month of the measured usage, scaled as asked. */
export function projectMonth(
  measured: MeasuredUsage | undefined,
  holdings: Holdings,
  projection: Projection = {},
): { usage: MonthlyUsage; factor: number } {
  if (projection.scale !== undefined && projection.mau !== undefined)
    throw new PlazaError('BadInput', 'Give --scale or --mau, not both');
  if (projection.scale !== undefined && !(projection.scale > 0 && Number.isFinite(projection.scale)))
    throw new PlazaError('BadInput', `--scale must be a positive number, not ${projection.scale}`);
  if (projection.mau !== undefined && !(Number.isInteger(projection.mau) && projection.mau >= 0))
    throw new PlazaError('BadInput', `--mau must be a whole number of users, not ${projection.mau}`);
  if (projection.mau !== undefined && holdings.users === 0)
    throw new PlazaError(
      'BadInput',
      'No users in the pool to project from: --mau needs at least one; use --scale',
    );
  const factor = projection.mau !== undefined ? projection.mau / holdings.users : (projection.scale ?? 1);
  const perMonth = measured && measured.measuredSeconds > 0 ? monthSeconds / measured.measuredSeconds : 0;
  const totals = measured?.totals ?? noUsage;
  const rates = Object.fromEntries(
    Object.entries(totals).map(([name, value]) => [name, value * perMonth * factor]),
  ) as unknown as UsageCounts;
  return {
    factor,
    usage: {
      ...rates,
      mau: projection.mau ?? holdings.users * factor,
      tableBytes: holdings.tableBytes * factor,
      objectBytes: holdings.objectBytes * factor,
    },
  };
}

export interface BillLine {
  service: 'Cognito' | 'DynamoDB' | 'AppSync' | 'S3' | 'CloudFront';
  item: string;
  quantity: number;
  unit: string;
  /** The price of one unit (USD). */
  unitPrice: number;
  cost: number;
}

/** The month's bill, line by line. */
export function monthlyBill(usage: MonthlyUsage, prices: Record<PriceName, number>): BillLine[] {
  const line = (
    service: BillLine['service'],
    item: string,
    quantity: number,
    unit: string,
    unitPrice: number,
  ): BillLine => ({ service, item, quantity, unit, unitPrice, cost: quantity * unitPrice });
  return [
    line(
      'Cognito',
      'active users beyond the free tier',
      Math.max(0, usage.mau - prices.cognitoFreeMau),
      'MAU',
      prices.cognitoPerMau,
    ),
    line('DynamoDB', 'read request units', usage.readUnits / 1e6, 'million', prices.dynamodbPerMillionReads),
    line(
      'DynamoDB',
      'write request units',
      usage.writeUnits / 1e6,
      'million',
      prices.dynamodbPerMillionWrites,
    ),
    line('DynamoDB', 'storage', usage.tableBytes / GB, 'GB-month', prices.dynamodbPerGbMonth),
    line(
      'AppSync',
      'queries and mutations',
      usage.apiRequests / 1e6,
      'million',
      prices.appsyncPerMillionQueries,
    ),
    line(
      'AppSync',
      'real-time connection minutes',
      usage.realtimeMinutes / 1e6,
      'million',
      prices.appsyncPerMillionRealtimeMinutes,
    ),
    line('S3', 'storage', usage.objectBytes / GB, 'GB-month', prices.s3PerGbMonth),
    line('S3', 'requests', usage.s3Requests / 1000, 'thousand', prices.s3PerThousandRequests),
    line('CloudFront', 'data transfer out', usage.cdnBytes / GB, 'GB', prices.cloudfrontPerGb),
    line(
      'CloudFront',
      'requests',
      usage.cdnRequests / 10_000,
      'ten thousand',
      prices.cloudfrontPerTenThousandRequests,
    ),
  ];
}

export interface CostReport {
  measured: { since: string | undefined; measuredSeconds: number; totals: UsageCounts };
  holdings: Holdings;
  projection: Projection & { factor: number };
  prices: Record<PriceName, number>;
  month: MonthlyUsage;
  lines: BillLine[];
  total: number;
  notes: string[];
}

export function costReport(input: {
  measured: MeasuredUsage | undefined;
  holdings: Holdings;
  prices?: Partial<Record<PriceName, number>>;
  projection?: Projection;
  notes?: string[];
}): CostReport {
  const prices = { ...designPrices, ...input.prices };
  const projection = input.projection ?? {};
  const { usage, factor } = projectMonth(input.measured, input.holdings, projection);
  const lines = monthlyBill(usage, prices);
  const notes = [...(input.notes ?? [])];
  if (!input.measured || input.measured.measuredSeconds === 0)
    notes.push(
      'Nothing measured yet: request charges are 0 until the server has run (it writes DATA_DIR/usage.json).',
    );
  return {
    measured: {
      since: input.measured?.since,
      measuredSeconds: input.measured?.measuredSeconds ?? 0,
      totals: input.measured?.totals ?? noUsage,
    },
    holdings: input.holdings,
    projection: { ...projection, factor },
    prices,
    month: usage,
    lines,
    total: lines.reduce((sum, line) => sum + line.cost, 0),
    notes,
  };
}

/** The report as an aligned text table. */
export function formatCostReport(report: CostReport): string {
  const money = (n: number) =>
    `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const quantity = (n: number) =>
    n === 0 ? '0' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3).replace(/\.?0+$/, '');
  const price = (n: number) => `$${String(Number(n.toPrecision(4)))}`;
  const rows = report.lines.map((line) => [
    line.service,
    line.item,
    `${quantity(line.quantity)} ${line.unit}`,
    `${price(line.unitPrice)} / ${line.unit}`,
    money(line.cost),
  ]);
  const header = ['Service', 'Item', 'Quantity', 'Price', 'Monthly'];
  const footer = ['Total', '', '', '', money(report.total)];
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows, footer].map((row) => (row[column] as string).length)),
  );
  // Text columns left-aligned, figures right-aligned.
  const render = (row: string[]) =>
    row
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const { measured, projection, holdings } = report;
  const seconds = measured.measuredSeconds;
  const window =
    seconds < 120
      ? `${seconds.toFixed(1)} s`
      : seconds < 7200
        ? `${(seconds / 60).toFixed(1)} min`
        : seconds < 172_800
          ? `${(seconds / 3600).toFixed(2)} h`
          : `${(seconds / 86_400).toFixed(1)} days`;
  const scaled =
    projection.mau !== undefined
      ? `, projected to ${projection.mau.toLocaleString('en-US')} MAU (×${Number(projection.factor.toPrecision(4))})`
      : projection.factor !== 1
        ? `, scaled ×${projection.factor}`
        : '';
  const lines = [
    `Projected monthly AWS bill (730 h) from ${window} measured${measured.since ? ` since ${measured.since}` : ''}${scaled}`,
    `Users in the pool: ${holdings.users.toLocaleString('en-US')}; table ${quantity(holdings.tableBytes / 1024 ** 2)} MB; objects ${quantity(holdings.objectBytes / 1024 ** 2)} MB`,
    '',
    render(header),
    rule,
    ...rows.map(render),
    rule,
    render(footer),
    ...report.notes.map((note) => `\nNote: ${note}`),
  ];
  return lines.join('\n');
}
