/**
 * Evaluates the alarm rules against the live metrics, as CloudWatch does:
 * each rule closes a datapoint at the end of each of its periods and then
 * re-evaluates its state. Entering ALARM (firing) and leaving it (resolved)
 * are logged and published to the notifier (SNS at scale, a webhook here).
 *
 * `tick()` does the work; `run()` calls it on a timer. Time comes from the
 * Clock, so a test moves a ManualClock and calls `tick()`.
 */
import type { Logger } from '../../platform/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Notifier } from '../../ports/notifier.ts';
import {
  checkRules,
  datapointOf,
  evaluateAlarm,
  snapshotOf,
  type AlarmState,
  type Datapoint,
  type MetricFamily,
  type MetricSnapshot,
} from './alarm-evaluation.ts';
import type { AlarmRule } from './alarm-rules.ts';

export interface AlarmMonitorServices {
  clock: Clock;
  /** The metrics as prom-client's `registry.getMetricsAsJSON()` gives them. */
  readMetrics(): Promise<readonly MetricFamily[]>;
  notifier: Notifier | undefined;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  region: string;
}

export interface AlarmStatus {
  name: string;
  description: string | undefined;
  state: AlarmState;
  reason: string;
  /** When the state last changed (ISO). */
  stateChangedAt: string;
  /** The latest datapoints, oldest first (null: no data), with the end of each period. */
  datapoints: { periodEnd: string; value: number | null }[];
  rule: AlarmRule;
}

export interface AlarmStateChange {
  status: 'firing' | 'resolved';
  alarm: AlarmStatus;
  previousState: AlarmState;
}

interface RuleState {
  rule: AlarmRule;
  state: AlarmState;
  reason: string;
  stateChangedAt: number;
  periodStart: MetricSnapshot;
  periodEnd: number;
  gaugeSamples: MetricSnapshot[];
  datapoints: { periodEnd: number; value: Datapoint }[];
}

export class AlarmMonitor {
  private readonly states: RuleState[] = [];
  private started = false;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rules: readonly AlarmRule[],
    private readonly services: AlarmMonitorServices,
  ) {}

  /** Takes the first snapshot; refuses rules that name unknown metrics. */
  async start(): Promise<void> {
    const snapshot = snapshotOf(await this.services.readMetrics());
    checkRules(this.rules, snapshot);
    const now = this.services.clock.now();
    for (const rule of this.rules) {
      this.states.push({
        rule,
        state: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        stateChangedAt: now,
        periodStart: snapshot,
        periodEnd: now + rule.periodSeconds * 1000,
        gaugeSamples: [],
        datapoints: [],
      });
    }
    this.started = true;
  }

  /** Evaluates on a timer until `stop()`. */
  run(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Samples the metrics and closes every period that has ended. Ticks never overlap. */
  tick(): Promise<void> {
    this.running = this.running.then(() => this.evaluate());
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  list(): AlarmStatus[] {
    return this.states.map((state) => this.status(state));
  }

  private async evaluate(): Promise<void> {
    if (!this.started) return;
    let snapshot: MetricSnapshot;
    try {
      snapshot = snapshotOf(await this.services.readMetrics());
    } catch (error) {
      this.services.logger.error({ err: error }, 'alarms: reading the metrics failed');
      return;
    }
    const now = this.services.clock.now();
    const changes: AlarmStateChange[] = [];
    for (const state of this.states) {
      state.gaugeSamples.push(snapshot);
      if (now < state.periodEnd) continue;
      const { rule } = state;
      const periodMs = rule.periodSeconds * 1000;
      state.datapoints.push({
        periodEnd: state.periodEnd,
        value: datapointOf(rule, state.periodStart, snapshot, state.gaugeSamples),
      });
      // Periods that passed without a tick (a stalled process) have no data.
      let next = state.periodEnd + periodMs;
      while (next <= now) {
        state.datapoints.push({ periodEnd: next, value: undefined });
        next += periodMs;
      }
      state.periodEnd = next;
      state.periodStart = snapshot;
      state.gaugeSamples = [];
      state.datapoints.splice(0, Math.max(0, state.datapoints.length - rule.evaluationPeriods));

      const previous = state.state;
      const evaluation = evaluateAlarm(
        rule,
        state.datapoints.map((point) => point.value),
        previous,
      );
      state.reason = evaluation.reason;
      if (evaluation.state === previous) continue;
      state.state = evaluation.state;
      state.stateChangedAt = now;
      const alarm = this.status(state);
      this.services.logger[evaluation.state === 'ALARM' ? 'warn' : 'info'](
        { alarm: rule.name, state: evaluation.state, previousState: previous, reason: evaluation.reason },
        `alarm ${rule.name}: ${previous} -> ${evaluation.state}`,
      );
      if (evaluation.state === 'ALARM') changes.push({ status: 'firing', alarm, previousState: previous });
      else if (previous === 'ALARM') changes.push({ status: 'resolved', alarm, previousState: previous });
    }
    await Promise.all(changes.map((change) => this.publish(change)));
  }

  private async publish(change: AlarmStateChange): Promise<void> {
    const { notifier, logger, region } = this.services;
    if (!notifier) return;
    const { alarm } = change;
    try {
      await notifier.publish({
        subject: `${change.alarm.state}: "${alarm.name}" in ${region}`,
        body: cloudWatchNotification(change, region),
      });
    } catch (error) {
      logger.error({ err: error, alarm: alarm.name }, `alarm ${alarm.name}: the notification failed`);
    }
  }

  private status(state: RuleState): AlarmStatus {
    return {
      name: state.rule.name,
      description: state.rule.description,
      state: state.state,
      reason: state.reason,
      stateChangedAt: new Date(state.stateChangedAt).toISOString(),
      datapoints: state.datapoints.map((point) => ({
        periodEnd: new Date(point.periodEnd).toISOString(),
        value: point.value ?? null,
      })),
      rule: state.rule,
    };
  }
}

/** The message CloudWatch sends to SNS on a state change, plus `status` (firing or resolved). */
export function cloudWatchNotification(change: AlarmStateChange, region: string): Record<string, unknown> {
  const { alarm } = change;
  const { rule } = alarm;
  return {
    status: change.status,
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    NewStateValue: alarm.state,
    NewStateReason: alarm.reason,
    OldStateValue: change.previousState,
    StateChangeTime: alarm.stateChangedAt,
    Region: region,
    Trigger: {
      MetricName: rule.metric,
      ...(rule.denominator ? { Expression: `100 * ${rule.metric} / ${rule.denominator}` } : {}),
      Dimensions: Object.entries(rule.labels ?? {}).map(([name, value]) => ({ name, value })),
      Statistic: rule.statistic,
      Period: rule.periodSeconds,
      EvaluationPeriods: rule.evaluationPeriods,
      DatapointsToAlarm: rule.datapointsToAlarm ?? rule.evaluationPeriods,
      ComparisonOperator: rule.comparison,
      Threshold: rule.threshold,
      TreatMissingData: rule.treatMissingData,
    },
  };
}
