import { fail, findUserByEmail, issueCode, type IdentityServices } from './model.ts';
import { maskEmail } from './sign-up.ts';

const resetCodeSeconds = 3600;

/** Mails a reset code (valid one hour). Unknown users get the same answer (PreventUserExistenceErrors). */
export async function forgotPassword(
  request: { ClientId: string; Username: string },
  services: IdentityServices,
) {
  if (request.ClientId !== services.pool.clientId)
    fail('ResourceNotFoundException', 'User pool client does not exist.');
  const email = String(request.Username ?? '').toLowerCase();
  const user = await findUserByEmail(email, services);
  if (user?.enabled) {
    const code = await issueCode(user.sub, 'reset', resetCodeSeconds, services);
    await services.mailer.send({
      to: user.email,
      subject: 'Reset your password',
      text: `Your password reset code is ${code}`,
      purpose: 'reset',
    });
  }
  return {
    CodeDeliveryDetails: { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  };
}
