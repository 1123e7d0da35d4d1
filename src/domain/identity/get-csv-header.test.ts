import { describe, expect, it } from 'vitest';
import { csvHeader, getCsvHeader, mfaColumn, usernameColumn } from './get-csv-header.ts';
import { poolSchema, standardAttributeNames } from './pool-schema.ts';

describe('getCsvHeader', () => {
  it("lists every standard attribute, then the pool's custom ones, then Cognito's two columns", async () => {
    const header = csvHeader();
    const custom = poolSchema.map(({ Name }) => Name).filter((name) => name.startsWith('custom:'));
    expect(header).toEqual([...standardAttributeNames, ...custom, mfaColumn, usernameColumn]);
    expect(header.slice(-2)).toEqual(['cognito:mfa_enabled', 'cognito:username']);
    expect(header).toEqual(expect.arrayContaining(['email', 'email_verified', 'phone_number', 'name']));
    expect(new Set(header).size).toBe(header.length);
    expect(
      await getCsvHeader({ UserPoolId: 'ignored' }, { pool: { userPoolId: 'us-west-1_Pool' } as never }),
    ).toEqual({
      UserPoolId: 'us-west-1_Pool',
      CSVHeader: header,
    });
  });
});
