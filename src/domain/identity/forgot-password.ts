import { findUserByEmail, mailCode, requireAppClient, type IdentityServices } from './model.ts';
import { maskEmail } from './sign-up.ts';
import { recordAuthEvent } from './auth-events.ts';

/** How long a password reset code works (Cognito's hour). */
export const resetCodeSeconds = 3600;

/** Mails a reset code (valid one hour). Unknown users get the same answer (PreventUserExistenceErrors). */
export async function forgotPassword(
  request: { ClientId: string; Username: string },
  services: IdentityServices,
) {
  requireAppClient(request.ClientId, services.pool);
  const email = String(request.Username ?? '').toLowerCase();
  const user = await findUserByEmail(email, services);
  if (user?.enabled) {
    await mailCode(user, 'reset', resetCodeSeconds, services);
    await recordAuthEvent(user.sub, { type: 'ForgotPassword', response: 'InProgress' }, services);
  }
  return {
    CodeDeliveryDetails: { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  };
}
