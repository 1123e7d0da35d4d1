/** DescribeIdentity (developer credentials): an identity's logins and dates. */
import {
  providerNameOf,
  readIdentity,
  type IdentityPoolServices,
  type IdentityPoolSettings,
  type IdentityRecord,
} from './model.ts';

export function identityDescription(identity: IdentityRecord, settings: IdentityPoolSettings) {
  return {
    IdentityId: identity.identityId,
    Logins: Object.keys(identity.logins).map((key) => providerNameOf(key, settings)),
    CreationDate: identity.createdAt / 1000,
    LastModifiedDate: identity.lastModified / 1000,
  };
}

export async function describeIdentity(request: { IdentityId: string }, services: IdentityPoolServices) {
  return identityDescription(await readIdentity(request.IdentityId, services), services.settings);
}
