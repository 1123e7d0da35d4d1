/**
 * The back office's operations (Admin* and ListUsers). The edge lets only
 * requests signed with the admin credentials reach them.
 */
import { mfaSettings } from './mfa-preference.ts';
import { removeUser } from './remove-user.ts';
import { PlazaError } from '../../platform/errors.ts';
import {
  afterConfirmation,
  checkPassword,
  fail,
  findUserByEmail,
  requireEmail,
  revokeSessions,
  setUserEnabled,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
  afterToken,
} from './model.ts';
import { checkedAttributeValue, standardAttributeNames } from './pool-schema.ts';
import { createUser } from './sign-up.ts';
import { withPhoneChange } from './sms.ts';

export async function userNamed(
  username: unknown,
  services: Pick<IdentityServices, 'users'>,
): Promise<UserRecord> {
  const name = String(username ?? '');
  // Usernames are the `sub`; the email alias works too, as in a pool with email sign-in.
  const byEmail = name.includes('@') ? await findUserByEmail(name, services) : undefined;
  if (byEmail) return byEmail;
  const { item } = await services.users.get(userKeys.user(name), { consistent: true });
  if (!item) throw new PlazaError('UserNotFoundException', 'User does not exist.');
  return toUserRecord(item);
}

export function describe(user: UserRecord) {
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

export const temporaryPasswordDays = 7;

/**
 * Creates a user with a temporary password (valid seven days) that must be
 * replaced at first sign-in (NEW_PASSWORD_REQUIRED); the invitation is mailed
 * unless MessageAction is SUPPRESS.
 */
export async function adminCreateUser(
  request: {
    Username: string;
    TemporaryPassword?: string;
    UserAttributes?: { Name: string; Value?: string }[];
    MessageAction?: 'SUPPRESS' | 'RESEND';
  },
  services: IdentityServices,
) {
  const email = requireEmail(request.Username);
  const temporary = checkPassword(request.TemporaryPassword ?? services.ids.secret(12), services.pool);
  const given = request.UserAttributes ?? [];
  const attributes: Record<string, string> = { email_verified: 'false' };
  // The username is the email (the pool signs in with it), so an email attribute adds nothing.
  for (const { Name, Value = '' } of given.filter((attribute) => attribute.Name !== 'email'))
    attributes[Name] = checkedAttributeValue(Name, Value);
  const sub = await createUser(
    {
      email,
      password: temporary,
      status: 'FORCE_CHANGE_PASSWORD',
      // A phone number given without phone_number_verified is unverified, as on Cognito.
      attributes: withPhoneChange(
        { attributes: {} },
        attributes,
        given.some((attribute) => attribute.Name === 'phone_number_verified'),
      ).attributes,
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
    ...mfaSettings(user),
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
  await setUserEnabled(user.sub, enabled, services);
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

/** The attributes ListUsers' Filter can search, as Cognito's, and how each compares. */
const filterable: Record<
  string,
  { value: (user: UserRecord) => string | undefined; caseSensitive: boolean }
> = {
  username: { value: (user) => user.username ?? user.sub, caseSensitive: true },
  email: { value: (user) => user.email, caseSensitive: false },
  phone_number: { value: (user) => user.attributes.phone_number, caseSensitive: false },
  name: { value: (user) => user.attributes.name, caseSensitive: false },
  given_name: { value: (user) => user.attributes.given_name, caseSensitive: false },
  family_name: { value: (user) => user.attributes.family_name, caseSensitive: false },
  preferred_username: { value: (user) => user.attributes.preferred_username, caseSensitive: false },
  'cognito:user_status': { value: (user) => user.status, caseSensitive: true },
  status: { value: (user) => (user.enabled ? 'Enabled' : 'Disabled'), caseSensitive: false },
  sub: { value: (user) => user.sub, caseSensitive: true },
};

const filterPattern = /^\s*([a-z_:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Cognito's filter: `attribute = "value"` (exact) or `attribute ^= "prefix"`; empty, every user. */
export function parseUserFilter(filter: string | undefined): ((user: UserRecord) => boolean) | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = filterPattern.exec(filter);
  if (!match) fail('InvalidParameterException', 'Error while parsing filter.');
  const [, name = '', op, quoted = ''] = match;
  const attribute = Object.hasOwn(filterable, name) ? filterable[name] : undefined;
  if (!attribute) fail('InvalidParameterException', `Invalid search attribute: ${name}`);
  const fold = (text: string) => (attribute.caseSensitive ? text : text.toLowerCase());
  const wanted = fold(quoted.replace(/\\(.)/g, '$1'));
  return (user) => {
    const value = attribute.value(user);
    if (value === undefined) return false;
    return op === '=' ? fold(value) === wanted : fold(value).startsWith(wanted);
  };
}

const standardAttributes = new Set<string>(['sub', ...standardAttributeNames]);

/**
 * Users in sign-up order, a page at a time (the pool's GSI1): those the Filter matches (read on
 * until the page is full), with only the AttributesToGet.
 */
export async function listUsers(
  request: { Limit?: number; PaginationToken?: string; Filter?: string; AttributesToGet?: string[] },
  services: IdentityServices,
) {
  const limit = request.Limit ?? 60;
  if (!Number.isInteger(limit) || limit < 0 || limit > 60)
    fail('InvalidParameterException', 'Limit must be between 0 and 60');
  const matches = parseUserFilter(request.Filter);
  const wanted = request.AttributesToGet;
  for (const name of wanted ?? []) {
    if (!standardAttributes.has(name) && !name.startsWith('custom:'))
      fail('InvalidParameterException', `One or more requested attributes do not exist: ${name}`);
  }
  // Cognito's Limit 0 is its default page.
  const pageSize = limit === 0 ? 60 : limit;
  let after = request.PaginationToken ? afterToken.decode(request.PaginationToken) : undefined;
  const found: UserRecord[] = [];
  let more = true;
  while (found.length < pageSize && more) {
    const page = await services.users.query({
      index: 'GSI1',
      partition: 'USERS',
      limit: 60,
      ...(after === undefined ? {} : { sortKey: { op: '>', value: after } }),
    });
    more = page.cursor !== undefined;
    for (const item of page.items) {
      if (found.length === pageSize) {
        more = true;
        break;
      }
      after = String(item.GSI1SK);
      const user = toUserRecord(item);
      if (!matches || matches(user)) found.push(user);
    }
  }
  return {
    Users: found.map((user) => {
      const described = describe(user);
      return wanted
        ? { ...described, Attributes: described.Attributes.filter(({ Name }) => wanted.includes(Name)) }
        : described;
    }),
    ...(more && after !== undefined ? { PaginationToken: afterToken.encode(after) } : {}),
  };
}
