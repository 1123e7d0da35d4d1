/**
 * Amazon Cognito's post-authentication trigger: each passed sign-in, for the audit log and the
 * day's active users (ADR 0010). Cognito fails the sign-in when a trigger fails, so a failure here
 * is logged and the user signed in all the same: a missing
 * audit entry is better than nobody able to sign in while the table is unavailable.
 */
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { postAuthentication } from '../../edge/lambda/cognito-triggers.ts';
import { once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const app = once(async () => openLambdaApp(loadConfig()));

export async function handler(
  event: PostAuthenticationTriggerEvent,
): Promise<PostAuthenticationTriggerEvent> {
  const ready = await app();
  try {
    return await postAuthentication(event, { ...ready.social, aliases: ready.aliases });
  } catch (error) {
    ready.logger.error({ err: error, userName: event.userName }, 'the sign-in was not recorded');
    return event;
  }
}
