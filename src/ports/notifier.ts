/** Where operators are told things (alarms): an SNS topic at scale, a webhook on one machine. */
export interface Notifier {
  /** Delivers one message; rejects when it could not be delivered. */
  publish(message: { subject: string; body: Record<string, unknown> }): Promise<void>;
}
