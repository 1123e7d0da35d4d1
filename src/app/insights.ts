/**
 * The audit log and the daily analytics (ADR 0010): each in a SQLite file of its own under
 * DATA_DIR, filled from both tables' change streams, and the feed's latency sampled from the
 * metrics once a minute.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteAnalyticsStore } from '../adapters/sqlite/sqlite-analytics-store.ts';
import { SqliteAuditLog } from '../adapters/sqlite/sqlite-audit-log.ts';
import { feedLatencySampler } from '../domain/analytics/feed-latency.ts';
import type { Config } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { createMetrics, type Metrics } from '../platform/metrics.ts';
import type { AnalyticsStore, LatencyBucket } from '../ports/analytics-store.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import { openExistingStores } from './operations.ts';
import type { Stores } from './stores.ts';
import {
  analyticsConsumer,
  auditConsumer,
  runConsumers,
  type RunningConsumers,
  type StreamConsumer,
} from './stream-consumers.ts';

export interface Insights {
  audit: AuditLog;
  analytics: AnalyticsStore;
  close(): Promise<void>;
}

export function auditLogPath(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'audit.db');
}

export function analyticsPath(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'analytics.db');
}

export function openInsights(config: Pick<Config, 'dataDir'>): Insights {
  const audit = new SqliteAuditLog({ path: auditLogPath(config) });
  const analytics = new SqliteAnalyticsStore({ path: analyticsPath(config) });
  return {
    audit,
    analytics,
    async close() {
      await audit.close();
      await analytics.close();
    },
  };
}

/** The audit log as it is on disk, for `plaza audit verify`: the file the server made, never a new one. */
export function openExistingAuditLog(config: Pick<Config, 'dataDir'>): AuditLog {
  const path = auditLogPath(config);
  if (!existsSync(path))
    throw new PlazaError(
      'BadInput',
      `No audit log at ${path}: the server makes it when it starts; set DATA_DIR to an existing data directory`,
    );
  return new SqliteAuditLog({ path });
}

/**
 * The consumer that fills the audit log and the analytics from one table's stream: one reader for
 * both, as every reader reads and decodes every record. It keeps the audit log's checkpoint; both
 * skip a change they have taken already, so a batch retried for either changes nothing in the other.
 */
export function insightConsumers(insights: Insights, table: 'main' | 'users'): StreamConsumer[] {
  const audit = auditConsumer(insights.audit, table);
  const analytics = analyticsConsumer(insights.analytics, table);
  return [
    {
      ...audit,
      async handle(records, log) {
        await audit.handle(records, log);
        await analytics.handle(records, log);
      },
    },
  ];
}

export interface RunningInsights extends Insights {
  /** The pool table's consumers, running. */
  poolConsumers: RunningConsumers;
  /** Adds the feed latency measured so far to today's analytics (also every minute, and at stop). */
  sampleFeedLatency(): Promise<void>;
  /** Stops the pool's consumers and the sampling, and closes the files (after the main consumers stopped). */
  stop(): Promise<void>;
}

/**
 * The server's insights: the files opened, their consumers added to the design table's running
 * ones and started on the pool table's stream, the feed's latency sampled.
 */
export function startInsights(
  config: Pick<Config, 'dataDir'>,
  stores: Pick<Stores, 'users'>,
  mainConsumers: Pick<RunningConsumers, 'add'>,
  deps: { logger: Logger; metrics: Metrics; clock: Clock },
): RunningInsights {
  const insights = openInsights(config);
  insightConsumers(insights, 'main').forEach((consumer) => mainConsumers.add(consumer));
  const poolConsumers = runConsumers(stores.users.changes, insightConsumers(insights, 'users'), deps);
  const feedLatency = sampleFeedLatency(insights, deps);
  return {
    ...insights,
    poolConsumers,
    sampleFeedLatency: feedLatency.sample,
    async stop() {
      await poolConsumers.stop();
      await feedLatency.stop();
      await insights.close();
    },
  };
}

/** Samples the feed's latency every minute; `stop` takes a last sample. */
export function sampleFeedLatency(
  insights: Insights,
  deps: { metrics: Metrics; clock: Clock; logger: Logger },
  everyMs = 60_000,
): { sample(): Promise<void>; stop(): Promise<void> } {
  const sampler = feedLatencySampler({
    read: () => feedLatencyBuckets(deps.metrics),
    analytics: insights.analytics,
    clock: deps.clock,
  });
  const sample = () =>
    sampler
      .sample()
      .catch((error: unknown) => deps.logger.error({ err: error }, 'feed latency sample failed'));
  const timer = setInterval(() => void sample(), everyMs);
  timer.unref();
  return {
    sample,
    async stop() {
      clearInterval(timer);
      await sample();
    },
  };
}

async function feedLatencyBuckets(metrics: Metrics): Promise<LatencyBucket[]> {
  const histogram = metrics.registry.getSingleMetric('plaza_latency_seconds');
  if (!histogram) return [];
  const { values } = await histogram.get();
  return values
    .filter(
      (value) =>
        (value as { metricName?: string }).metricName === 'plaza_latency_seconds_bucket' &&
        value.labels.operation === 'homeFeed',
    )
    .map((value) => ({
      le: value.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(value.labels.le),
      count: value.value,
    }))
    .sort((a, b) => a.le - b.le);
}

/**
 * The audit log and the analytics brought up to date with both tables' streams, for the CLI (or,
 * with PLAZA_AUDIT_BUCKET, the deployment's, which its stream Lambda keeps up to date): a
 * server that runs does the same all along (what both append is skipped the second time), one
 * that does not has left the latest changes unread. Throws where there is no installation.
 */
export async function openInsightsUpToDate(config: Config): Promise<Insights> {
  if (config.auditBucket) return openDeployedInsights(config);
  const stores = await openExistingStores(config);
  const insights = openInsights(config);
  const deps = {
    logger: createLogger({ level: 'warn' }),
    metrics: createMetrics({ defaultMetrics: false }),
    clock: systemClock,
  };
  const running = [
    runConsumers(stores.main.changes, insightConsumers(insights, 'main'), deps),
    runConsumers(stores.users.changes, insightConsumers(insights, 'users'), deps),
  ];
  try {
    await Promise.all(running.map((consumers) => consumers.drain()));
  } catch (error) {
    await insights.close();
    throw error;
  } finally {
    await Promise.all(running.map((consumers) => consumers.stop()));
    await stores.close();
  }
  return insights;
}

/**
 * The deployment's audit log and analytics, for the CLI run against AWS (PLAZA_AUDIT_BUCKET, with
 * PLAZA_DB=dynamodb and PLAZA_TABLE as the stack's outputs name them): the stream Lambda keeps both
 * up to date, so nothing is caught up here.
 */
async function openDeployedInsights(config: Config): Promise<Insights> {
  if (config.db.engine !== 'dynamodb' || !config.auditBucket)
    throw new PlazaError(
      'BadInput',
      "PLAZA_AUDIT_BUCKET names the deployment's audit log: set PLAZA_DB=dynamodb and PLAZA_TABLE to its table too",
    );
  const stores = await openExistingStores(config);
  // The deployment's adapters, loaded here only: the AWS SDK is a good part of a process's start.
  const { deployedAuditLog } = await import('./lambda-audit.ts');
  const { DynamoDbAnalyticsStore } = await import('../adapters/dynamodb/dynamodb-analytics-store.ts');
  const audit = deployedAuditLog(config)!;
  return {
    audit,
    analytics: new DynamoDbAnalyticsStore(stores.main),
    async close() {
      await audit.close();
      await stores.close();
    },
  };
}
