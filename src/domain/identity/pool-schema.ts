/**
 * The pool's attribute schema, as Cognito's DescribeUserPool lists it: the standard attributes
 * Plaza keeps and the design's custom ones. Administrators write only what is mutable.
 */
import { fail } from './model.ts';
import { requirePhone } from './sms.ts';

export interface SchemaAttribute {
  Name: string;
  AttributeDataType: 'String' | 'Boolean' | 'Number' | 'DateTime';
  DeveloperOnlyAttribute: boolean;
  Mutable: boolean;
  Required: boolean;
  StringAttributeConstraints?: { MinLength: string; MaxLength: string };
}

const text = (Name: string, options: { mutable?: boolean; required?: boolean; max?: number } = {}) =>
  ({
    Name,
    AttributeDataType: 'String',
    DeveloperOnlyAttribute: false,
    Mutable: options.mutable ?? true,
    Required: options.required ?? false,
    StringAttributeConstraints: {
      MinLength: options.required ? '1' : '0',
      MaxLength: String(options.max ?? 2048),
    },
  }) satisfies SchemaAttribute;

/** Cognito's standard attributes, in the order of its user-import CSV's columns. */
export const standardAttributeNames = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
] as const;

export const poolSchema: readonly SchemaAttribute[] = [
  text('sub', { mutable: false, required: true }),
  text('email', { required: true }),
  {
    Name: 'email_verified',
    AttributeDataType: 'Boolean',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
  },
  text('phone_number'),
  {
    Name: 'phone_number_verified',
    AttributeDataType: 'Boolean',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
  },
  text('name'),
  text('preferred_username'),
  text('custom:preferred_username', { max: 256 }),
  text('custom:profile_picture_url', { max: 2048 }),
];

/** The schema entry an administrator may write or delete, or InvalidParameterException as Cognito answers. */
export function writableAttribute(name: string): SchemaAttribute {
  const attribute = poolSchema.find((entry) => entry.Name === name);
  if (!attribute) fail('InvalidParameterException', `Attribute does not exist in the schema: ${name}`);
  if (!attribute.Mutable) fail('InvalidParameterException', `Cannot modify an immutable attribute: ${name}`);
  return attribute;
}

/**
 * An administrator's value for an attribute (AdminCreateUser, AdminUpdateUserAttributes), as Cognito
 * checks it: an attribute of the schema that may be written, phone_number in E.164, booleans
 * "true" or "false", text within the schema's length.
 */
export function checkedAttributeValue(name: string, value: string): string {
  const attribute = writableAttribute(name);
  if (name === 'phone_number') requirePhone(value);
  if (attribute.AttributeDataType === 'Boolean' && value !== 'true' && value !== 'false')
    fail('InvalidParameterException', `${name} must be "true" or "false"`);
  const max = Number(attribute.StringAttributeConstraints?.MaxLength ?? 2048);
  if ([...value].length > max)
    fail('InvalidParameterException', `${name} must be at most ${max} characters long`);
  return value;
}
