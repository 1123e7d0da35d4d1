/** Amazon Cognito's post-confirmation trigger: the new user's profile. */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { postConfirmation } from '../../edge/lambda/cognito-triggers.ts';
import { once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const app = once(async () => openLambdaApp(loadConfig()));

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  const ready = await app();
  return postConfirmation(event, { ...ready.social, aliases: ready.aliases });
}
