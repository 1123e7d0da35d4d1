import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test/support/fails-with.ts';
import {
  checkedAttributeValue,
  poolSchema,
  standardAttributeNames,
  writableAttribute,
} from './pool-schema.ts';

describe('the pool schema', () => {
  it('holds sub and email as required, and only standard or custom: attributes', () => {
    const required = poolSchema.filter((attribute) => attribute.Required).map(({ Name }) => Name);
    expect(required).toEqual(['sub', 'email']);
    const standard: readonly string[] = standardAttributeNames;
    for (const { Name } of poolSchema)
      expect(Name === 'sub' || standard.includes(Name) || Name.startsWith('custom:'), Name).toBe(true);
  });
});

describe('writableAttribute', () => {
  it('is the schema entry of a mutable attribute', () => {
    expect(writableAttribute('name')).toMatchObject({
      Name: 'name',
      Mutable: true,
      AttributeDataType: 'String',
    });
    expect(writableAttribute('email')).toMatchObject({ Required: true });
  });

  it('refuses attributes outside the schema and immutable ones, naming them', () => {
    expect(thrownMessage(() => writableAttribute('custom:shoe_size'), 'InvalidParameterException')).toMatch(
      /does not exist in the schema: custom:shoe_size/,
    );
    expect(thrownMessage(() => writableAttribute('sub'), 'InvalidParameterException')).toMatch(
      /immutable attribute: sub/,
    );
  });
});

describe('checkedAttributeValue', () => {
  it('takes text within its length, booleans as "true" or "false", and phone numbers in E.164', () => {
    expect(checkedAttributeValue('name', 'Ada')).toBe('Ada');
    expect(checkedAttributeValue('custom:preferred_username', 'é'.repeat(256))).toBe('é'.repeat(256));
    expect(checkedAttributeValue('email_verified', 'false')).toBe('false');
    expect(checkedAttributeValue('phone_number', '+14325551212')).toBe('+14325551212');
  });

  it('refuses a long value, a boolean that is not one, a phone number out of form and unknown names', () => {
    const refused: [string, string, RegExp][] = [
      ['custom:preferred_username', 'x'.repeat(257), /at most 256 characters/],
      ['name', 'x'.repeat(2049), /at most 2048 characters/],
      ['email_verified', 'yes', /"true" or "false"/],
      ['phone_number', '4325551212', /E\.164/],
      ['nickname', 'Ada', /does not exist in the schema/],
      ['sub', 'someone-else', /immutable/],
    ];
    for (const [name, value, message] of refused)
      expect(thrownMessage(() => checkedAttributeValue(name, value), 'InvalidParameterException')).toMatch(
        message,
      );
  });
});
