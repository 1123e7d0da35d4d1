/** The alarms a deployment keeps (CloudWatch's on AWS), as the operator console shows them. */
export type AlarmSourceState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One statistic of one metric, in CloudWatch's terms. */
export interface MetricStatistic {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Sum, Average, Maximum, …, or pNN. */
  statistic: string;
}

export interface AlarmView {
  name: string;
  description: string | undefined;
  state: AlarmSourceState;
  reason: string;
  /** When the state last changed (ISO). */
  stateChangedAt: string;
  threshold: number;
  periodSeconds: number;
  /** What it watches: one metric's statistic, or an expression over named ones. */
  watches:
    | { metric: MetricStatistic }
    | { expression: string; metrics: Record<string, MetricStatistic> }
    | undefined;
}

export interface AlarmSource {
  /** Every alarm of the deployment, by name. */
  list(): Promise<AlarmView[]>;
}
