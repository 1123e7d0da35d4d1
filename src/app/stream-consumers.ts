/**
 * Every side effect of a write runs here, from the table's change stream (ADR 0009), so every
 * write path triggers it: GraphQL, the CLI in another process, a restore, a Lambda. Each consumer
 * is defined once and run by both hosts: the server reads the stream through the ItemStore's
 * ChangeStream port (`runConsumers`), and on AWS a stream Lambda hands it Lambda's batches
 * (src/bin/lambda). Delivery is at-least-once, so every handler is idempotent.
 */
import { streamActivityOf, type AnalyzedTable } from '../domain/analytics/stream-activity.ts';
import { auditFactsOf, type AuditedTable } from '../domain/audit/audit-facts.ts';
import { buildDataExports, type DataExportBuilderServices } from '../domain/privacy/build-data-export.ts';
import { cascadeDeletions } from '../domain/privacy/cascade-deletions.ts';
import type { PrivacyServices } from '../domain/privacy/model.ts';
import { fanOutFeed } from '../domain/social/feed-fan-out.ts';
import { notifyFromChanges } from '../domain/social/notify.ts';
import { publishLiveEvents } from '../domain/social/live-events.ts';
import { publishNotifications, type NotificationPublishing } from '../domain/social/publish-notifications.ts';
import type { SocialServices } from '../domain/social/model.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AnalyticsStore } from '../ports/analytics-store.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type {
  ChangeStream,
  StreamConsumerOptions,
  StreamRecord,
  StreamSubscription,
} from '../ports/item-store/item-store.ts';

export interface StreamConsumer {
  /** Its checkpoint's name, and its log lines' `consumer`. */
  name: string;
  handle(records: StreamRecord[], log: Logger): Promise<void>;
  options?: Pick<StreamConsumerOptions, 'pollIntervalMs' | 'batchIntervalMs' | 'batchSize'>;
}

/**
 * The home feed's fan-out (feed-fan-out.ts), then notifications (social/notify.ts: follows, likes,
 * comments, mentions) from the same batch. One consumer for both, on the server as in the fan-out's
 * stream Lambda on AWS, where a shard allows two readers and the data lifecycle is the other: the
 * change log is read, and a checkpoint written, once for both. Both are idempotent, so a batch that
 * fails in either is retried whole. With `live` (on AWS, where AppSync holds the subscriptions), the
 * notifications among the records are published there too (social/publish-notifications.ts).
 */
export function feedFanOutConsumer(
  social: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
  live?: NotificationPublishing,
): StreamConsumer {
  return {
    name: 'feed-fan-out',
    async handle(records, log) {
      await fanOutFeed(records, social, log);
      await notifyFromChanges(records, social, log);
      // On AWS the notifications written by a batch come back in a later one, for AppSync.
      if (live) await publishNotifications(records, live, log);
    },
  };
}

/**
 * Erasure (what a deletion leaves goes from its REMOVE record) and data exports (built from their
 * request's INSERT). One consumer for both: on AWS the stream has two readers per shard at most,
 * this and the fan-out; the two act on disjoint records, so running both on each changes nothing.
 */
export function dataLifecycleConsumer(
  privacy: PrivacyServices,
  exports: DataExportBuilderServices,
): StreamConsumer {
  return {
    name: 'data-lifecycle',
    async handle(records, log) {
      await cascadeDeletions(records, privacy, log);
      await buildDataExports(records, { ...exports, logger: log });
    },
  };
}

/**
 * Live events for subscriptions (social/live-events.ts), for this server's subscribers: every
 * server reads the shared table's stream itself, so no event crosses servers and none is doubled.
 * A CLI process does not run it: nobody subscribes there.
 */
export function liveEventsConsumer(events: Pick<EventBus, 'publish'>, clock: Clock): StreamConsumer {
  return {
    name: 'live-events',
    // Writes in this process wake consumers at once; another process's (`plaza seed`) are found by
    // polling, and a live event should not wait a second for it. The poll is one indexed read.
    // A burst (5,000 notifications) reaches the hub in a few turns, not one per 100 records, each
    // waiting its turn behind the other consumers' (1,000 is the most a DynamoDB stream read gives).
    options: { pollIntervalMs: 200, batchSize: 1000 },
    async handle(records, log) {
      await publishLiveEvents(
        records,
        {
          publish: (topic, payload) => events.publish(topic, payload),
          now: () => clock.now() / 1000,
          maxAgeSeconds: 60,
        },
        log,
      );
    },
  };
}

/**
 * Audit and analytics need not act at once: a batch a second at most, so a write costs them no
 * checkpoint of its own (each checkpoint is a synced commit beside the writers').
 */
const gatherMs = 1000;

/**
 * The audit log (ADR 0010): what each change on `table` records, appended once (a redelivered
 * change's entries are already in). It runs on both tables' streams: the pool's carries sign-ins,
 * password, MFA and admin operations; the design's table carries deletions and other actions.
 */
export function auditConsumer(log: Pick<AuditLog, 'append'>, table: AuditedTable): StreamConsumer {
  return {
    name: 'audit',
    options: { batchIntervalMs: gatherMs },
    async handle(records) {
      const facts = auditFactsOf(records, table);
      if (facts.length > 0) await log.append(facts);
    },
  };
}

/** Daily analytics (ADR 0010): counters and active users, each change applied once by its eventID. */
export function analyticsConsumer(
  analytics: Pick<AnalyticsStore, 'applyActivity'>,
  table: AnalyzedTable,
): StreamConsumer {
  return {
    name: 'analytics',
    options: { batchIntervalMs: gatherMs },
    async handle(records) {
      const activity = streamActivityOf(records, table);
      if (activity.length > 0) await analytics.applyActivity(activity);
    },
  };
}

export interface RunningConsumers {
  /** Each consumer's subscription, by name (tests drain one to wait for its effects). */
  readonly byName: ReadonlyMap<string, StreamSubscription>;
  /** Starts one more consumer on the same stream (the server adds live events once it listens). */
  add(consumer: StreamConsumer): void;
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The one read loop for every consumer on a server: each reads from its own checkpoint, its lag
 * measured and its failures logged; a failed batch is retried from the same place.
 */
export function runConsumers(
  stream: ChangeStream,
  consumers: StreamConsumer[],
  deps: { logger: Logger; metrics: Pick<Metrics, 'streamConsumerLag'>; clock: Clock },
): RunningConsumers {
  const byName = new Map<string, StreamSubscription>();
  const add = (consumer: StreamConsumer) => {
    const log = deps.logger.child({ consumer: consumer.name });
    const subscription = stream.subscribe(
      consumer.name,
      async (records) => {
        await consumer.handle(records, log);
        const now = deps.clock.now() / 1000;
        for (const record of records)
          deps.metrics.streamConsumerLag.observe(
            { consumer: consumer.name },
            Math.max(0, now - record.dynamodb.ApproximateCreationDateTime),
          );
      },
      {
        ...consumer.options,
        onError: (error) => log.error({ err: error }, `${consumer.name} failed; retrying`),
      },
    );
    byName.set(consumer.name, subscription);
  };
  consumers.forEach(add);
  return {
    byName,
    add,
    drain: async () => void (await Promise.all([...byName.values()].map((s) => s.drain()))),
    stop: async () => void (await Promise.all([...byName.values()].map((s) => s.stop()))),
  };
}
