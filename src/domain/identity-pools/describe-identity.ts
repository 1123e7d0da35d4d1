/** DescribeIdentity (developer credentials): an identity's logins and dates. */
import { readIdentity, type IdentityPoolServices, type IdentityRecord } from './model.ts';

export function identityDescription(identity: IdentityRecord) {
  return {
    IdentityId: identity.identityId,
    Logins: Object.keys(identity.logins),
    CreationDate: identity.createdAt / 1000,
    LastModifiedDate: identity.lastModified / 1000,
  };
}

export async function describeIdentity(request: { IdentityId: string }, services: IdentityPoolServices) {
  return identityDescription(await readIdentity(request.IdentityId, services));
}
