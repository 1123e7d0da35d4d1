/**
 * GetCSVHeader: the columns of Cognito's user-import CSV for this pool, which `plaza users export`
 * writes and `plaza users import` reads. Cognito lists every standard attribute whether or not the
 * pool's schema holds it, then the pool's custom attributes, then its own two columns.
 */
import { poolSchema, standardAttributeNames as standardColumns } from './pool-schema.ts';
import type { IdentityServices } from './model.ts';

export const mfaColumn = 'cognito:mfa_enabled';
export const usernameColumn = 'cognito:username';

export function csvHeader(): string[] {
  const custom = poolSchema.filter(({ Name }) => Name.startsWith('custom:')).map(({ Name }) => Name);
  return [...standardColumns, ...custom, mfaColumn, usernameColumn];
}

export async function getCsvHeader(
  _request: { UserPoolId: string },
  { pool }: Pick<IdentityServices, 'pool'>,
) {
  return { UserPoolId: pool.userPoolId, CSVHeader: csvHeader() };
}
