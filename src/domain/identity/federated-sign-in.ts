import { isPlazaError } from '../../platform/errors.ts';
import type { FederatedIdentity, FederatedIdentityProvider } from '../../ports/federation.ts';
import {
  afterConfirmation,
  fail,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import { oauthKeys } from './oauth.ts';

const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** What linking needs of a provider, whichever protocol it speaks (OIDC, OAuth, SAML). */
type LinkedProvider = Pick<FederatedIdentityProvider, 'name' | 'attributeMapping' | 'providerType'>;

/** The pool attributes a provider's claims map to (email → email by default), as strings. */
function mappedAttributes(provider: LinkedProvider, claims: Record<string, unknown>) {
  const attributes: Record<string, string> = {};
  for (const [attribute, claim] of Object.entries(provider.attributeMapping)) {
    const value = claims[claim];
    if (typeof value === 'string' && value.length <= 2048) attributes[attribute] = value;
  }
  const email = attributes.email?.toLowerCase();
  delete attributes.email;
  const validEmail = email !== undefined && emailPattern.test(email) ? email : '';
  return { email: validEmail, verified: validEmail !== '' && claims.email_verified === true, attributes };
}

/**
 * A user signed in at an external provider becomes (or is) a pool user, linked by the provider's
 * (issuer, sub) and never by email: username `<provider>_<sub>` and status EXTERNAL_PROVIDER as in
 * Cognito. The first sign-in runs the post-confirmation trigger, which creates the profile.
 */
export async function federatedSignIn(
  provider: LinkedProvider,
  identity: FederatedIdentity,
  services: IdentityServices,
): Promise<UserRecord> {
  const { users, clock, ids } = services;
  const link = oauthKeys.federatedIdentity(identity.issuer, identity.subject);
  const { email, verified, attributes } = mappedAttributes(provider, identity.claims);
  const { user: existing, staleSub } = await linkedUser(link, services);
  if (existing) {
    if (!existing.enabled) fail('NotAuthorizedException', 'User is disabled.');
    // The provider's attributes are copied again at each sign-in, as Cognito does.
    const { item } = await users.update({
      key: userKeys.user(existing.sub),
      set: {
        email,
        attributes: {
          ...existing.attributes,
          ...attributes,
          email,
          email_verified: verified ? 'true' : 'false',
        },
      },
      conditions: [{ op: 'itemExists' }],
    });
    return toUserRecord(item);
  }
  const sub = ids.uuid();
  const createdAt = new Date(clock.now()).toISOString();
  const username = `${provider.name}_${identity.subject}`;
  const user: UserRecord = {
    sub,
    username,
    email,
    status: 'EXTERNAL_PROVIDER',
    enabled: true,
    // No password: a federated user signs in only through the provider (and has no email alias to sign in with).
    passwordHash: '',
    srpSalt: '',
    srpVerifier: '',
    attributes: {
      ...attributes,
      email,
      email_verified: verified ? 'true' : 'false',
      sub,
      identities: JSON.stringify([
        {
          userId: identity.subject,
          providerName: provider.name,
          providerType: provider.providerType ?? 'OIDC',
          issuer: identity.issuer,
          primary: 'true',
          dateCreated: clock.now(),
        },
      ]),
    },
    validAfter: 0,
    failedSignIns: 0,
    lockedUntil: 0,
    createdAt,
  };
  try {
    await users.transactWrite([
      {
        put: { ...link, sub },
        // A link left by a deleted user is taken over; a live one never is.
        conditions:
          staleSub === undefined
            ? [{ op: 'itemNotExists' }]
            : [{ op: '=', attribute: 'sub', value: staleSub }],
      },
      { put: { ...userKeys.user(sub), GSI1PK: 'USERS', GSI1SK: `${createdAt}#${sub}`, ...user } },
    ]);
  } catch (error) {
    // Two first sign-ins at once: the other one made the user.
    if (isPlazaError(error, 'TransactionCanceledException')) {
      const { user: winner } = await linkedUser(link, services);
      if (winner) return winner;
    }
    throw error;
  }
  await afterConfirmation(user, services);
  return user;
}

async function linkedUser(
  link: { PK: string; SK: string },
  { users }: Pick<IdentityServices, 'users'>,
): Promise<{ user: UserRecord | undefined; staleSub: string | undefined }> {
  const { item } = await users.get(link, { consistent: true });
  if (!item) return { user: undefined, staleSub: undefined };
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  return userItem
    ? { user: toUserRecord(userItem), staleSub: undefined }
    : { user: undefined, staleSub: String(item.sub) };
}
