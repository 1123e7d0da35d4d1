import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { attributeChange, requirePhone } from './sms.ts';
import { emailDelivery } from './verify-user-attribute.ts';
import { fail, findUserByEmail, mailCode, requireEmail, userKeys, type IdentityServices } from './model.ts';

/** The attributes a user may change about themselves besides email and phone_number (the design's custom attributes and names). */
const mutable = new Set([
  'name',
  'preferred_username',
  'custom:preferred_username',
  'custom:profile_picture_url',
]);

/**
 * Changes the signed-in user's own attributes. A new email is the sign-in alias
 * too, so it waits for its code (VerifyUserAttribute) and the old one keeps
 * signing in until then, as Cognito's "keep original attribute value active
 * when an update is pending" does.
 */
export async function updateUserAttributes(
  request: { AccessToken: string; UserAttributes?: { Name: string; Value: string }[] },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  const changes = request.UserAttributes ?? [];
  if (!Array.isArray(changes) || changes.length === 0)
    fail('InvalidParameterException', 'UserAttributes must not be empty');
  const attributes = { ...user.attributes };
  let newEmail: string | undefined;
  for (const { Name, Value } of changes) {
    if (Name === 'email') {
      newEmail = requireEmail(Value);
      continue;
    }
    if (Name === 'phone_number') {
      attributes.phone_number = requirePhone(Value);
      continue;
    }
    if (!mutable.has(Name)) fail('InvalidParameterException', `Attribute cannot be updated: ${String(Name)}`);
    if (typeof Value !== 'string' || Value.length > 2048)
      fail('InvalidParameterException', `Invalid value for ${Name}`);
    attributes[Name] = Value;
  }
  const changingEmail = newEmail !== undefined && newEmail !== user.email;
  if (changingEmail && (await findUserByEmail(newEmail as string, services))) {
    fail('AliasExistsException', 'An account with the given email already exists.');
  }
  await services.users.update({
    key: userKeys.user(user.sub),
    set: {
      ...attributeChange(user, attributes, services.clock.now()),
      ...(changingEmail ? { pendingEmail: newEmail as string } : {}),
    },
    conditions: [{ op: 'itemExists' }],
  });
  if (!changingEmail) return { CodeDeliveryDetailsList: [] };
  await mailCode(
    { sub: user.sub, email: newEmail as string },
    'verify',
    services.pool.confirmationCodeSeconds,
    services,
  );
  return { CodeDeliveryDetailsList: [emailDelivery(newEmail as string)] };
}
