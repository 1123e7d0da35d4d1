/** The server's own operations: alarm rules evaluated against its metrics, and the usage it measures for the cost report. */
import { webhookNotifier } from '../adapters/webhook/webhook-notifier.ts';
import { AlarmMonitor } from '../domain/operations/alarm-monitor.ts';
import { defaultAlarmRules } from '../domain/operations/alarm-rules.ts';
import { UsageRecorder } from '../domain/operations/usage-recorder.ts';
import type { Config } from '../platform/config.ts';
import { readJsonFileOrSetAside, writeJsonFile } from '../platform/json-file.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import { usageFile, usageFileDescription } from './cost.ts';

export interface Monitoring {
  alarms: AlarmMonitor;
  usage: UsageRecorder;
  stop(): Promise<void>;
}

export async function startMonitoring(
  config: Config,
  { clock, metrics, logger }: { clock: Clock; metrics: Metrics; logger: Logger },
): Promise<Monitoring> {
  const readMetrics = () => metrics.registry.getMetricsAsJSON();
  const { alarmWebhookUrl } = config.operations;
  const alarms = new AlarmMonitor(config.operations.alarmRules ?? defaultAlarmRules, {
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
  return {
    alarms,
    usage,
    async stop() {
      await alarms.stop();
      await usage.stop();
    },
  };
}
