/**
 * Where a written notification goes to reach its recipient live, when subscribers are not this
 * process's (on AWS, AppSync's onNotification, which fires only on a mutation).
 */
export interface NotificationPublisher {
  /** Publishes one notification; rejects when it could not be delivered to the subscription service. */
  publish(notification: { recipientId: string; id: string }): Promise<void>;
}
