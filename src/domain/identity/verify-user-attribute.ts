/**
 * The second half of an email change: GetUserAttributeVerificationCode sends
 * a code to the pending (or unverified) address, VerifyUserAttribute redeems
 * it and moves the sign-in alias, in one transaction that fails if someone
 * else took the address meanwhile. A phone_number is verified the same way,
 * by a code in a text message (SMS MFA needs a verified number).
 */
import { isPlazaError } from '../../platform/errors.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, mailCode, redeemCode, userKeys, type IdentityServices } from './model.ts';
import { maskEmail } from './sign-up.ts';
import { maskPhone } from './sms.ts';

export const emailDelivery = (email: string) => ({
  Destination: maskEmail(email),
  DeliveryMedium: 'EMAIL',
  AttributeName: 'email',
});

function requireVerifiable(name: unknown): 'email' | 'phone_number' {
  if (name !== 'email' && name !== 'phone_number')
    fail(
      'InvalidParameterException',
      'Only the email and phone_number attributes are verified in this pool.',
    );
  return name;
}

export async function getUserAttributeVerificationCode(
  request: { AccessToken: string; AttributeName: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const attribute = requireVerifiable(request.AttributeName);
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  if (attribute === 'phone_number') {
    const phone = user.attributes.phone_number;
    if (!phone) fail('InvalidParameterException', 'The user has no phone_number to verify.');
    await mailCode(user, 'verifyPhone', services.pool.confirmationCodeSeconds, services, {
      channel: 'sms',
      to: phone,
    });
    return {
      CodeDeliveryDetails: {
        Destination: maskPhone(phone),
        DeliveryMedium: 'SMS',
        AttributeName: 'phone_number',
      },
    };
  }
  const email = user.pendingEmail ?? user.email;
  await mailCode({ sub: user.sub, email }, 'verify', services.pool.confirmationCodeSeconds, services);
  return { CodeDeliveryDetails: emailDelivery(email) };
}

export async function verifyUserAttribute(
  request: { AccessToken: string; AttributeName: string; Code: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const attribute = requireVerifiable(request.AttributeName);
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  if (attribute === 'phone_number') {
    const phone = user.attributes.phone_number;
    if (!phone) fail('InvalidParameterException', 'The user has no phone_number to verify.');
    await redeemCode(user.sub, 'verifyPhone', request.Code, services);
    await services.users.update({
      key: userKeys.user(user.sub),
      set: {
        attributes: { ...user.attributes, phone_number_verified: 'true' },
        lastModified: services.clock.now(),
      },
      conditions: [{ op: 'itemExists' }],
    });
    return {};
  }
  await redeemCode(user.sub, 'verify', request.Code, services);
  const email = user.pendingEmail;
  if (!email || email === user.email) {
    await services.users.update({
      key: userKeys.user(user.sub),
      set: { attributes: { ...user.attributes, email_verified: 'true' }, lastModified: services.clock.now() },
    });
    return {};
  }
  try {
    await services.users.transactWrite([
      { put: { ...userKeys.email(email), sub: user.sub }, conditions: [{ op: 'itemNotExists' }] },
      { delete: userKeys.email(user.email) },
      {
        update: {
          key: userKeys.user(user.sub),
          set: { email, attributes: { ...user.attributes, email_verified: 'true' } },
          remove: ['pendingEmail'],
        },
      },
    ]);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException'))
      fail('AliasExistsException', 'An account with the given email already exists.');
    throw error;
  }
  return {};
}
