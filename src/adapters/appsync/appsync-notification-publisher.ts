/**
 * Notifications published to AppSync, whose onNotification fires only on a mutation: the internal
 * publishNotification, signed with AWS Signature V4 by the caller's IAM role (the stream Lambda's,
 * the only one its policy lets call that field). AppSync hands the mutation's answer to the
 * recipient's subscriptions, so it selects every field an IAM caller may read (the per-viewer ones,
 * `viewerFollows` and the like, are the user pool's alone and read null there).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { NotificationPublisher } from '../../ports/notification-publisher.ts';

const user = 'id username displayName bio followerCount followingCount postCount createdAt';
const media =
  'key contentType status width height url altText durationSeconds failureReason ' +
  'variants { size url width height contentType } videoRenditions { height width url contentType bytes }';

export const publishNotificationDocument = `mutation PublishNotification($recipientId: ID!, $id: ID!) {
  publishNotification(recipientId: $recipientId, id: $id) {
    id recipientId type othersCount read createdAt
    actor { ${user} avatar { ${media} } }
    actors { ${user} avatar { ${media} } }
    post {
      id authorId description mediaKeys likeCount commentCount createdAt
      author { ${user} avatar { ${media} } }
      media { ${media} }
    }
    comment { id postId content createdAt author { ${user} avatar { ${media} } } }
  }
}`;

export class AppSyncPublishError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

export function appSyncNotificationPublisher(options: {
  /** The API's GraphQL URL (https://<id>.appsync-api.<region>.amazonaws.com/graphql). */
  url: string;
  region: string;
  /** The Lambda's role, from its environment unless given. */
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}): NotificationPublisher {
  const url = new URL(options.url);
  const signer = new SignatureV4({
    service: 'appsync',
    region: options.region,
    credentials: options.credentials ?? fromEnv(),
    sha256: Sha256,
  });
  const send = options.fetch ?? fetch;
  return {
    async publish({ recipientId, id }) {
      const body = JSON.stringify({ query: publishNotificationDocument, variables: { recipientId, id } });
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      const response = await send(url, { method: 'POST', headers: signed.headers, body });
      const answer = (await response.json().catch(() => ({}))) as {
        errors?: { errorType?: string; message?: string }[];
      };
      const [error] = answer.errors ?? [];
      if (!response.ok || error) {
        throw new AppSyncPublishError(
          error?.errorType ?? `HTTP${response.status}`,
          `publishNotification ${id} for ${recipientId}: ${error?.message ?? response.statusText}`,
        );
      }
    },
  };
}
