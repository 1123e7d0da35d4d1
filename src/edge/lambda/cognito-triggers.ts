/**
 * Amazon Cognito's Lambda triggers over Plaza's use cases. A trigger returns
 * the event it was given (Cognito reads its `response`); throwing fails the
 * user's sign-up step, and Cognito shows the message.
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { createProfile } from '../../domain/social/create-profile.ts';
import type { SocialServices } from '../../domain/social/model.ts';
import type { UserAliases } from '../../domain/social/user-aliases.ts';

/**
 * Post confirmation: the new user's profile, keyed by the `sub` that AppSync's identity and every
 * token carry, or by the Plaza id a refilled pool's user is linked to (who has a profile already).
 * Confirming a forgotten password fires the same trigger; that user has a profile.
 */
export async function postConfirmation(
  event: PostConfirmationTriggerEvent,
  services: Pick<SocialServices, 'store' | 'clock'> & { aliases?: UserAliases },
): Promise<PostConfirmationTriggerEvent> {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
  const attributes = event.request.userAttributes;
  const sub = attributes.sub ?? event.userName;
  await createProfile(
    {
      userId: services.aliases ? await services.aliases.userIdOf(sub) : sub,
      ...(attributes.email ? { email: attributes.email } : {}),
    },
    services,
  );
  return event;
}
