/**
 * The server's own operations: alarm rules evaluated against its metrics, the usage it measures for
 * the cost report, and the continuous off-machine copy when one is configured (ADR 0012).
 */
import { webhookNotifier } from '../adapters/webhook/webhook-notifier.ts';
import { AlarmMonitor } from '../domain/operations/alarm-monitor.ts';
import { MetricHistory } from '../domain/operations/metric-history.ts';
import { backupLagAlarmRule, defaultAlarmRules } from '../domain/operations/alarm-rules.ts';
import { UsageRecorder } from '../domain/operations/usage-recorder.ts';
import type { Config } from '../platform/config.ts';
import { readJsonFileOrSetAside, writeJsonFile } from '../platform/json-file.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store/object-store.ts';
import type { ContinuousBackupThread } from './continuous-backup.ts';
import { startContinuousBackup } from './continuous-backup.ts';
import { usageFile, usageFileDescription } from './cost.ts';

export interface Monitoring {
  alarms: AlarmMonitor;
  /** The charted metrics' last hour, sampled as often as the alarms are evaluated. */
  history: MetricHistory;
  usage: UsageRecorder;
  continuousBackup: ContinuousBackupThread | undefined;
  stop(): Promise<void>;
}

export async function startMonitoring(
  config: Config,
  { clock, metrics, logger, media }: { clock: Clock; metrics: Metrics; logger: Logger; media: ObjectStore },
): Promise<Monitoring> {
  const readMetrics = () => metrics.registry.getMetricsAsJSON();
  const { alarmWebhookUrl } = config.operations;
  const rules =
    config.operations.alarmRules ??
    (config.backup.continuousTo ? [...defaultAlarmRules, backupLagAlarmRule] : defaultAlarmRules);
  const alarms = new AlarmMonitor(rules, {
    clock,
    readMetrics,
    notifier:
      alarmWebhookUrl === undefined
        ? undefined
        : webhookNotifier({
            url: alarmWebhookUrl,
            topicArn: `arn:aws:sns:${config.region}:000000000000:${config.db.table}-alarms`,
          }),
    logger,
    region: config.region,
  });
  // Without metrics there is nothing to evaluate: no alarm is listed.
  if (metrics.enabled) {
    await alarms.start();
    alarms.run(config.operations.alarmEvaluationMs);
  }
  const history = new MetricHistory({ clock, readMetrics, rules });
  if (metrics.enabled) {
    await history.tick();
    history.run(config.operations.alarmEvaluationMs);
  }
  const usage = new UsageRecorder({
    clock,
    readMetrics,
    file: {
      // Usage is a counter, not a key: a corrupt file is set aside and measuring starts afresh.
      load: () =>
        readJsonFileOrSetAside(usageFile(config), usageFileDescription, (error, movedTo) =>
          logger.warn(
            { err: error, movedTo },
            'usage: the usage file was unreadable; set aside, measuring anew',
          ),
        ),
      save: (value) => writeJsonFile(usageFile(config), value),
    },
    logger,
  });
  await usage.start();
  usage.run(config.operations.usageSnapshotMs);
  const continuousBackup = startContinuousBackup(config, { media, metrics, logger });
  return {
    alarms,
    history,
    usage,
    continuousBackup,
    async stop() {
      await alarms.stop();
      await history.stop();
      await usage.stop();
      // What was written until now is shipped; later writes wait in the change log for the next start.
      await continuousBackup?.stop();
    },
  };
}
