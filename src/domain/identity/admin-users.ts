/**
 * The back office's operations (Admin* and ListUsers). The edge lets only
 * requests signed with the admin credentials reach them.
 */
import { removeUser } from './remove-user.ts';
import { PlazaError } from '../../platform/errors.ts';
import {
  afterConfirmation,
  checkPassword,
  fail,
  findUserByEmail,
  requireEmail,
  revokeSessions,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import { createUser } from './sign-up.ts';

async function userNamed(username: unknown, services: IdentityServices): Promise<UserRecord> {
  const name = String(username ?? '');
  // Usernames are the `sub`; the email alias works too, as in a pool with email sign-in.
  const byEmail = name.includes('@') ? await findUserByEmail(name, services) : undefined;
  if (byEmail) return byEmail;
  const { item } = await services.users.get(userKeys.user(name), { consistent: true });
  if (!item) throw new PlazaError('UserNotFoundException', 'User does not exist.');
  return toUserRecord(item);
}

function describe(user: UserRecord) {
  return {
    Username: user.sub,
    Attributes: Object.entries({ ...user.attributes, sub: user.sub, email: user.email }).map(
      ([Name, Value]) => ({ Name, Value }),
    ),
    UserCreateDate: Date.parse(user.createdAt) / 1000,
    UserLastModifiedDate: (user.lastModified ?? Date.parse(user.createdAt)) / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

const temporaryPasswordDays = 7;

/**
 * Creates a user with a temporary password (valid seven days) that must be
 * replaced at first sign-in (NEW_PASSWORD_REQUIRED); the invitation is mailed
 * unless MessageAction is SUPPRESS.
 */
export async function adminCreateUser(
  request: {
    Username: string;
    TemporaryPassword?: string;
    UserAttributes?: { Name: string; Value: string }[];
    MessageAction?: 'SUPPRESS' | 'RESEND';
  },
  services: IdentityServices,
) {
  const email = requireEmail(request.Username);
  const temporary = checkPassword(request.TemporaryPassword ?? services.ids.secret(12), services.pool);
  const verified =
    request.UserAttributes?.some((a) => a.Name === 'email_verified' && a.Value === 'true') ?? false;
  const sub = await createUser(
    {
      email,
      password: temporary,
      status: 'FORCE_CHANGE_PASSWORD',
      attributes: { email_verified: verified ? 'true' : 'false' },
      extra: { temporaryPasswordExpiresAt: services.clock.now() + temporaryPasswordDays * 24 * 3600 * 1000 },
    },
    services,
  );
  if (request.MessageAction !== 'SUPPRESS') {
    await services.mailer.send({
      to: email,
      subject: 'Your temporary password',
      text: `Your username is ${email} and your temporary password is ${temporary}`,
      purpose: 'invitation',
    });
  }
  return { User: describe(await userNamed(sub, services)) };
}

export async function adminGetUser(request: { Username: string }, services: IdentityServices) {
  const user = await userNamed(request.Username, services);
  const { Attributes, ...rest } = describe(user);
  return {
    ...rest,
    UserAttributes: Attributes,
    MFAOptions: [],
    PreferredMfaSetting: user.mfaEnabled ? 'SOFTWARE_TOKEN_MFA' : undefined,
  };
}

export async function adminConfirmSignUp(request: { Username: string }, services: IdentityServices) {
  const user = await userNamed(request.Username, services);
  if (user.status === 'CONFIRMED')
    fail('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { status: 'CONFIRMED', lastModified: services.clock.now() },
    conditions: [{ op: 'itemExists' }],
  });
  // As ConfirmSignUp: the post-confirmation trigger (Plaza's creates the profile).
  await afterConfirmation(user, services);
  return {};
}

/** Disabling a user also ends every session, as Cognito's does. */
export async function adminSetEnabled(
  request: { Username: string },
  enabled: boolean,
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  if (enabled)
    await services.users.update({
      key: userKeys.user(user.sub),
      set: { enabled, lastModified: services.clock.now() },
      conditions: [{ op: 'itemExists' }],
    });
  else await revokeSessions(user.sub, services, { enabled, lastModified: services.clock.now() });
  return {};
}

export async function adminUserGlobalSignOut(request: { Username: string }, services: IdentityServices) {
  const user = await userNamed(request.Username, services);
  await revokeSessions(user.sub, services);
  return {};
}

export async function adminDeleteUser(request: { Username: string }, services: IdentityServices) {
  await removeUser(await userNamed(request.Username, services), services);
  return {};
}

/** Users in sign-up order, a page at a time (the pool's GSI1). */
export async function listUsers(
  request: { Limit?: number; PaginationToken?: string },
  services: IdentityServices,
) {
  const limit = request.Limit ?? 60;
  if (!Number.isInteger(limit) || limit < 1 || limit > 60)
    fail('InvalidParameterException', 'Limit must be between 1 and 60');
  const page = await services.users.query({
    index: 'GSI1',
    partition: 'USERS',
    limit,
    ...(request.PaginationToken ? { cursor: request.PaginationToken } : {}),
  });
  return {
    Users: page.items.map((item) => describe(toUserRecord(item))),
    ...(page.cursor ? { PaginationToken: page.cursor } : {}),
  };
}
