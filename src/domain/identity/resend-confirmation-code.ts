import { fail, findUserByEmail, issueCode, type IdentityServices } from './model.ts';
import { maskEmail } from './sign-up.ts';

/** Sends a new confirmation code. Unknown users get the same answer (PreventUserExistenceErrors). */
export async function resendConfirmationCode(
  request: { ClientId: string; Username: string },
  services: IdentityServices,
) {
  if (request.ClientId !== services.pool.clientId)
    fail('ResourceNotFoundException', 'User pool client does not exist.');
  const email = String(request.Username ?? '').toLowerCase();
  const user = await findUserByEmail(email, services);
  if (user && user.status === 'UNCONFIRMED') {
    const code = await issueCode(user.sub, 'confirm', services.pool.confirmationCodeSeconds, services);
    await services.mailer.send({
      to: user.email,
      subject: 'Your verification code',
      text: `Your confirmation code is ${code}`,
      purpose: 'confirm',
    });
  }
  return {
    CodeDeliveryDetails: { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  };
}
