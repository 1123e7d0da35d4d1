/**
 * The back office's attribute writes: AdminUpdateUserAttributes and AdminDeleteUserAttributes,
 * for any mutable attribute of the schema (pool-schema.ts).
 */
import { isPlazaError } from '../../platform/errors.ts';
import { userNamed } from './admin-users.ts';
import { fail, findUserByEmail, mailCode, requireEmail, userKeys, type IdentityServices } from './model.ts';
import { checkedAttributeValue, writableAttribute } from './pool-schema.ts';
import { attributeChange } from './sms.ts';

/**
 * Sets attributes. A new email is the sign-in alias: given with `email_verified: "true"` it
 * replaces the old one at once; otherwise it waits for the code mailed to it (VerifyUserAttribute),
 * and the old one signs in until then, as for the user's own change.
 */
export async function adminUpdateUserAttributes(
  request: { Username: string; UserAttributes: { Name: string; Value?: string }[] },
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  const attributes = { ...user.attributes };
  let newEmail: string | undefined;
  for (const { Name, Value = '' } of request.UserAttributes) {
    if (Name === 'email') newEmail = requireEmail(Value);
    else attributes[Name] = checkedAttributeValue(Name, Value);
  }
  const changed = attributeChange(
    user,
    attributes,
    services.clock.now(),
    request.UserAttributes.some((a) => a.Name === 'phone_number_verified'),
  );
  if (newEmail === undefined || newEmail === user.email) {
    await services.users.update({
      key: userKeys.user(user.sub),
      set: changed,
      conditions: [{ op: 'itemExists' }],
    });
    return {};
  }
  if (await findUserByEmail(newEmail, services))
    fail('AliasExistsException', 'An account with the given email already exists.');
  if (
    changed.attributes.email_verified === 'true' &&
    request.UserAttributes.some((a) => a.Name === 'email_verified')
  ) {
    try {
      await services.users.transactWrite([
        { put: { ...userKeys.email(newEmail), sub: user.sub }, conditions: [{ op: 'itemNotExists' }] },
        { delete: userKeys.email(user.email) },
        {
          update: {
            key: userKeys.user(user.sub),
            set: { ...changed, email: newEmail },
            remove: ['pendingEmail'],
          },
          conditions: [{ op: 'itemExists' }],
        },
      ]);
    } catch (error) {
      if (isPlazaError(error, 'TransactionCanceledException'))
        fail('AliasExistsException', 'An account with the given email already exists.');
      throw error;
    }
    return {};
  }
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { ...changed, pendingEmail: newEmail },
    conditions: [{ op: 'itemExists' }],
  });
  await mailCode(
    { sub: user.sub, email: newEmail },
    'verify',
    services.pool.confirmationCodeSeconds,
    services,
  );
  return {};
}

/** Deletes attributes; required ones (sub, email) cannot be. */
export async function adminDeleteUserAttributes(
  request: { Username: string; UserAttributeNames: string[] },
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  const attributes = { ...user.attributes };
  for (const name of request.UserAttributeNames) {
    if (writableAttribute(name).Required)
      fail('InvalidParameterException', `Cannot delete a required attribute: ${name}`);
    delete attributes[name];
  }
  await services.users.update({
    key: userKeys.user(user.sub),
    set: attributeChange(user, attributes, services.clock.now()),
    conditions: [{ op: 'itemExists' }],
  });
  return {};
}
