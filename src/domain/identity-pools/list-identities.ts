/** ListIdentities (developer credentials): the pool's identities, a page at a time, in id order. */
import { afterToken } from '../identity/model.ts';
import { identityDescription } from './describe-identity.ts';
import {
  fail,
  identitiesPartition,
  requirePool,
  toIdentityRecord,
  type IdentityPoolServices,
} from './model.ts';

export interface ListIdentitiesRequest {
  IdentityPoolId: string;
  MaxResults: number;
  NextToken?: string;
  HideDisabled?: boolean;
}

export async function listIdentities(request: ListIdentitiesRequest, services: IdentityPoolServices) {
  const { settings, store } = services;
  requirePool(request.IdentityPoolId, settings);
  if (!Number.isInteger(request.MaxResults) || request.MaxResults < 1 || request.MaxResults > 60)
    fail('InvalidParameterException', 'MaxResults must be between 1 and 60.');
  const after = request.NextToken === undefined ? undefined : afterToken.decode(request.NextToken);
  const page = await store.query({
    index: 'GSI1',
    partition: identitiesPartition(settings.identityPoolId),
    ...(after ? { sortKey: { op: '>', value: after } } : {}),
    limit: request.MaxResults,
  });
  const identities = page.items.map(toIdentityRecord);
  const last = identities.at(-1);
  return {
    IdentityPoolId: settings.identityPoolId,
    Identities: identities.map((identity) => identityDescription(identity, settings)),
    ...(page.cursor && last ? { NextToken: afterToken.encode(last.identityId) } : {}),
  };
}
