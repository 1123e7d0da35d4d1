/**
 * The shapes of the operations settings in plaza.config.json: alarm rules (in
 * CloudWatch's terms, so the same rules become CloudWatch alarms in the CDK
 * app) and price overrides for the cost report. Validated by config.ts.
 */
import { z } from 'zod';

const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name such as plaza_errors_total');

export const comparisons = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;

export const alarmRuleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'an alarm name: 1-255 of A-Z a-z 0-9 _ . -'),
    description: z.string().max(1024).optional(),
    /** A metric of GET /metrics (its Prometheus name). */
    metric: metricName,
    /** With a denominator the alarm watches 100 × metric / denominator (a percentage), as a CloudWatch metric-math expression. */
    denominator: metricName.optional(),
    /** Only the series with these label values (all series when absent). */
    labels: z.record(z.string(), z.string()).optional(),
    statistic: z.union([
      z.enum(['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount']),
      z
        .string()
        .regex(/^p(\d{1,2}(\.\d+)?|100)$/, 'a statistic: Sum, Average, Minimum, Maximum, SampleCount or pNN'),
    ]),
    threshold: z.number(),
    comparison: z.enum(comparisons),
    periodSeconds: z
      .number()
      .int()
      .refine(
        (s) => s === 10 || s === 30 || (s >= 60 && s % 60 === 0),
        'CloudWatch periods: 10, 30 or a multiple of 60',
      ),
    evaluationPeriods: z.number().int().min(1).max(100),
    /** M of N: how many of the evaluation periods must breach (all of them when absent). */
    datapointsToAlarm: z.number().int().min(1).max(100).optional(),
    treatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).default('missing'),
  })
  .strict()
  .refine((rule) => (rule.datapointsToAlarm ?? rule.evaluationPeriods) <= rule.evaluationPeriods, {
    message: 'datapointsToAlarm cannot exceed evaluationPeriods',
    path: ['datapointsToAlarm'],
  });

export type AlarmRule = z.infer<typeof alarmRuleSchema>;

export const alarmRulesSchema = z
  .array(alarmRuleSchema)
  .refine(
    (rules) => new Set(rules.map((rule) => rule.name)).size === rules.length,
    'alarm names must be unique',
  );

/** The prices the cost report uses (USD); every one can be overridden in plaza.config.json under `cost.prices`. */
export const priceNames = [
  'cognitoFreeMau',
  'cognitoPerMau',
  'dynamodbPerMillionReads',
  'dynamodbPerMillionWrites',
  'dynamodbPerGbMonth',
  'appsyncPerMillionQueries',
  'appsyncPerMillionRealtimeMinutes',
  's3PerGbMonth',
  's3PerThousandRequests',
  'cloudfrontPerGb',
  'cloudfrontPerTenThousandRequests',
] as const;

export type PriceName = (typeof priceNames)[number];

export const priceOverridesSchema = z
  .object(
    Object.fromEntries(priceNames.map((name) => [name, z.number().min(0).optional()])) as {
      [K in PriceName]: z.ZodOptional<z.ZodNumber>;
    },
  )
  .strict();
