/**
 * Amazon Cognito's Lambda triggers over Plaza's use cases. A trigger returns
 * the event it was given (Cognito reads its `response`); throwing fails the
 * user's sign-up step, and Cognito shows the message.
 */
import type { PostAuthenticationTriggerEvent, PostConfirmationTriggerEvent } from 'aws-lambda';
import { recordIdentityEvent } from '../../domain/audit/identity-events.ts';
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
  services: TriggerServices,
): Promise<PostConfirmationTriggerEvent> {
  const attributes = event.request.userAttributes;
  const userId = await plazaUserOf(event, services);
  const signUp = event.triggerSource === 'PostConfirmation_ConfirmSignUp';
  if (signUp)
    await createProfile({ userId, ...(attributes.email ? { email: attributes.email } : {}) }, services);
  await recordIdentityEvent(
    { action: signUp ? 'SignUp' : 'PasswordReset', userId, ...reporter(event) },
    services,
  );
  return event;
}

/** Post authentication: a passed sign-in, for the audit log and the day's active users. */
export async function postAuthentication(
  event: PostAuthenticationTriggerEvent,
  services: TriggerServices,
): Promise<PostAuthenticationTriggerEvent> {
  const userId = await plazaUserOf(event, services);
  const { actor, detail } = reporter(event);
  await recordIdentityEvent(
    {
      action: 'SignIn',
      userId,
      actor,
      detail: { ...detail, newDevice: event.request.newDeviceUsed === true },
    },
    services,
  );
  return event;
}

export type TriggerServices = Pick<SocialServices, 'store' | 'clock' | 'ids'> & { aliases?: UserAliases };

type TriggerEvent = PostAuthenticationTriggerEvent | PostConfirmationTriggerEvent;

/** The Plaza id of the event's user: their sub, or (a refilled pool's user) the id it links to. */
async function plazaUserOf(event: TriggerEvent, services: TriggerServices): Promise<string> {
  const sub = event.request.userAttributes.sub ?? event.userName;
  return services.aliases ? services.aliases.userIdOf(sub) : sub;
}

function reporter(event: TriggerEvent) {
  return {
    actor: `cognito:${event.triggerSource}`,
    detail: { clientId: event.callerContext.clientId },
  };
}
