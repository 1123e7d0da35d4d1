/**
 * The local stand-in for an SNS topic with an HTTP subscription: each message
 * is POSTed as SNS delivers a notification (Type, MessageId, Subject, Message
 * as a JSON string, Timestamp), so a receiver written for SNS reads it as is.
 */
import { randomUUID } from 'node:crypto';
import type { Notifier } from '../../ports/notifier.ts';

export function webhookNotifier(options: { url: string; topicArn: string; timeoutMs?: number }): Notifier {
  return {
    async publish({ subject, body }) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': 'Notification',
          'x-amz-sns-topic-arn': options.topicArn,
        },
        body: JSON.stringify({
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: options.topicArn,
          Subject: subject.slice(0, 100),
          Message: JSON.stringify(body),
          Timestamp: new Date().toISOString(),
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      // The body is read so that the connection can be reused.
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`webhook ${options.url} answered ${response.status}`);
    },
  };
}
