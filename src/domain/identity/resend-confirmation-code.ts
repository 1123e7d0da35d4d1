import { findUserByEmail, mailCode, requireAppClient, type IdentityServices } from './model.ts';
import { maskEmail } from './sign-up.ts';
import { recordAuthEvent } from './auth-events.ts';

/** Sends a new confirmation code. Unknown users get the same answer (PreventUserExistenceErrors). */
export async function resendConfirmationCode(
  request: { ClientId: string; Username: string },
  services: IdentityServices,
) {
  requireAppClient(request.ClientId, services.pool);
  const email = String(request.Username ?? '').toLowerCase();
  const user = await findUserByEmail(email, services);
  if (user && user.status === 'UNCONFIRMED') {
    await mailCode(user, 'confirm', services.pool.confirmationCodeSeconds, services);
    await recordAuthEvent(user.sub, { type: 'ResendCode', response: 'Pass' }, services);
  }
  return {
    CodeDeliveryDetails: { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  };
}
