/**
 * Text messages of the pool: phone numbers (E.164, as Cognito's phone_number), how they are shown
 * masked, and SMS MFA's message as SetUserPoolMfaConfig sets it. Messages go through the mailer with
 * channel `sms`: locally to the outbox (the dev mailbox shows them), on AWS through SNS.
 */
import { fail, userKeys, type IdentityServices, type UserRecord } from './model.ts';

const phonePattern = /^\+[1-9][0-9]{4,14}$/;

export function requirePhone(value: unknown): string {
  if (typeof value !== 'string' || !phonePattern.test(value))
    fail('InvalidParameterException', 'Invalid phone number format: use E.164, like +14325551212.');
  return value;
}

/** A phone number as Cognito's CodeDeliveryDetails show it: `+*******1212`. */
export function maskPhone(phone: string): string {
  return `+${'*'.repeat(Math.max(phone.length - 5, 0))}${phone.slice(-4)}`;
}

/** The number SMS codes may go to: the user's phone_number, once verified. */
export function verifiedPhone(user: Pick<UserRecord, 'attributes'>): string | undefined {
  const phone = user.attributes.phone_number;
  return phone && user.attributes.phone_number_verified === 'true' ? phone : undefined;
}

export interface SmsMfaConfiguration {
  /** The text of an SMS MFA code; `{####}` stands for the code. */
  SmsAuthenticationMessage: string;
  SmsConfiguration?: { SnsCallerArn?: string; ExternalId?: string; SnsRegion?: string };
}

const defaultConfiguration: SmsMfaConfiguration = {
  SmsAuthenticationMessage: 'Your authentication code is {####}.',
};

export async function smsMfaConfiguration(
  services: Pick<IdentityServices, 'users'>,
): Promise<SmsMfaConfiguration> {
  const { item } = await services.users.get(userKeys.smsMfaConfig(), { consistent: true });
  return item ? (item.configuration as unknown as SmsMfaConfiguration) : defaultConfiguration;
}

export async function saveSmsMfaConfiguration(
  configuration: {
    SmsAuthenticationMessage?: string;
    SmsConfiguration?: SmsMfaConfiguration['SmsConfiguration'];
  },
  services: Pick<IdentityServices, 'users'>,
): Promise<void> {
  const message = configuration.SmsAuthenticationMessage ?? defaultConfiguration.SmsAuthenticationMessage;
  if (!message.includes('{####}'))
    fail('InvalidParameterException', 'SmsAuthenticationMessage must contain {####}, where the code goes.');
  const saved: SmsMfaConfiguration = {
    SmsAuthenticationMessage: message,
    ...(configuration.SmsConfiguration ? { SmsConfiguration: configuration.SmsConfiguration } : {}),
  };
  await services.users.put({ item: { ...userKeys.smsMfaConfig(), configuration: { ...saved } } });
}

/** Texts an SMS MFA code to a phone, in the pool's message. */
export async function textMfaCode(
  phone: string,
  code: string,
  services: Pick<IdentityServices, 'users' | 'mailer'>,
): Promise<void> {
  const { SmsAuthenticationMessage } = await smsMfaConfiguration(services);
  await services.mailer.send({
    channel: 'sms',
    to: phone,
    subject: 'Your authentication code',
    text: SmsAuthenticationMessage.replaceAll('{####}', code),
    purpose: 'mfa',
  });
}

/**
 * Attributes after a change that may touch the phone number: a new (or removed) number is not
 * verified unless an administrator says so, and SMS MFA stops until the number is verified and
 * turned on again, so that codes never go to a number nobody proved to own.
 */
export function withPhoneChange(
  user: Pick<UserRecord, 'attributes' | 'smsMfaEnabled'>,
  attributes: Record<string, string>,
  verificationGiven = false,
): { attributes: Record<string, string>; smsMfaOff: boolean } {
  const next = { ...attributes };
  const changed = next.phone_number !== user.attributes.phone_number;
  if (changed && !verificationGiven) {
    if (next.phone_number) next.phone_number_verified = 'false';
    else delete next.phone_number_verified;
  }
  return {
    attributes: next,
    smsMfaOff: user.smsMfaEnabled === true && next.phone_number_verified !== 'true',
  };
}

/**
 * What to set on the user's record for new attributes: the attributes after `withPhoneChange`,
 * SMS MFA turned off when the number it used is no longer verified, and the time of the change.
 */
export function attributeChange(
  user: Pick<UserRecord, 'attributes' | 'smsMfaEnabled'>,
  attributes: Record<string, string>,
  now: number,
  verificationGiven = false,
): { attributes: Record<string, string>; smsMfaEnabled?: false; lastModified: number } {
  const phone = withPhoneChange(user, attributes, verificationGiven);
  return {
    attributes: phone.attributes,
    ...(phone.smsMfaOff ? { smsMfaEnabled: false as const } : {}),
    lastModified: now,
  };
}
