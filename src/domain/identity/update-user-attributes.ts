import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, userKeys, type IdentityServices } from './model.ts';

/** The attributes a user may change about themselves (the design's custom attributes and names). */
const mutable = new Set([
  'name',
  'preferred_username',
  'custom:preferred_username',
  'custom:profile_picture_url',
]);

/**
 * Changes the signed-in user's own attributes. The email is the username and
 * sign-in alias here, so it is not changed this way (Plaza refuses it plainly
 * rather than leaving the alias and the attribute apart).
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
  for (const { Name, Value } of changes) {
    if (Name === 'email')
      fail('InvalidParameterException', 'The email is the username of this pool and cannot be changed.');
    if (!mutable.has(Name)) fail('InvalidParameterException', `Attribute cannot be updated: ${String(Name)}`);
    if (typeof Value !== 'string' || Value.length > 2048)
      fail('InvalidParameterException', `Invalid value for ${Name}`);
    attributes[Name] = Value;
  }
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { attributes },
    conditions: [{ op: 'itemExists' }],
  });
  return { CodeDeliveryDetailsList: [] };
}
